package proxy

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// TestSwapStopsTheOldPlansHealthChecks: a plan checks its pool's members
// while it serves; once a reload replaced it and it retired, its checks
// stop (the backend hears no more of them), and the new plan's run.
func TestSwapStopsTheOldPlansHealthChecks(t *testing.T) {
	var oldChecks, newChecks atomic.Int64
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/old-health":
			oldChecks.Add(1)
		case "/new-health":
			newChecks.Add(1)
		}
	})
	doc := func(path string) string {
		return fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"app\"\nbinds = [%q, %q]\nroutes = [{ pattern = \"/.*\" }]\nhealth = { path = %q, interval = \"10ms\" }\n", be, be, path)
	}
	p := startProxy(t, doc("/old-health"))
	waitCount := func(what string, c *atomic.Int64, n int64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for c.Load() < n {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d checks after 5s, want %d", what, c.Load(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitCount("the first plan", &oldChecks, 4)
	m := parseManifest(t, doc("/new-health"))
	m.Mothership.Binds[0].Addr.Address = "127.0.0.1:0"
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := p.srv.Swap(m, tree, Options{Resolve: upstream.ManifestResolver(m)})
	if err != nil {
		t.Fatalf("Swap: %v", err)
	}
	select {
	case <-ch.OldPlanIdle:
	case <-time.After(5 * time.Second):
		t.Fatal("the old plan did not retire")
	}
	waitCount("the new plan", &newChecks, 4)
	// The old plan drains once idle; after that none of its checks runs.
	deadline := time.Now().Add(5 * time.Second)
	for {
		before := oldChecks.Load()
		time.Sleep(100 * time.Millisecond) // ten intervals of the old checks
		if oldChecks.Load() == before {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old plan's checks still run 5s after it retired")
		}
	}
	n := newChecks.Load()
	waitCount("the new plan, still", &newChecks, n+2)
}
