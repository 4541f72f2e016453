package fleet

import (
	"testing"
	"time"
)

// TestMemory: a running child's memory is sampled and reported.
func TestMemory(t *testing.T) {
	t.Parallel()
	m, _ := testManifest(t, helperShip("web", "sleep"))
	f, rec := start(t, m, Options{})
	waitFor(t, 5*time.Second, "a memory sample", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.memory["web"][0] > 0
	})
	rec.mu.Lock()
	sample := rec.memory["web"]
	rec.mu.Unlock()
	if sample[1] < sample[0] {
		t.Errorf("virtual %d < resident %d", sample[1], sample[0])
	}
	if st := statusOf(t, f, "web"); st.RSS == 0 || st.Virtual < st.RSS {
		t.Errorf("status memory: rss %d, virtual %d", st.RSS, st.Virtual)
	}
}
