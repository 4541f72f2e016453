package fleet

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// TestReload: a reload launches the added ship, lands the removed one,
// restarts the changed one under a new pid and leaves the unchanged one
// with its pid; a ship that keeps its free port is not seen as changed.
func TestReload(t *testing.T) {
	t.Parallel()
	keep, drop, change := helperShip("keep", "listen"), helperShip("drop", "listen"), helperShip("change", "listen")
	keep.AutoPort = true
	m, _ := testManifest(t, keep, drop, change)
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, _ := newFleet(t, m, Options{Timing: fastTiming()})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := map[string]int{}
	for _, name := range []string{"keep", "drop", "change"} {
		before[name] = statusOf(t, f, name).PID
	}

	keep2, change2, add := helperShip("keep", "listen"), withEnv(helperShip("change", "listen"), "NEW", "1"), helperShip("add", "listen", "keep")
	keep2.AutoPort = true
	m2, _ := testManifest(t, keep2, change2, add)
	m2.Mothership.Env = m.Mothership.Env // the same HELPER_LOG
	KeepPorts(m, m2)
	if err := AssignPorts(m2); err != nil {
		t.Fatal(err)
	}
	r, err := f.Plan(m2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"added", r.Added, []string{"add"}}, {"removed", r.Removed, []string{"drop"}}, {"restarted", r.Restarted, []string{"change"}}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("Plan: %s %v, want %v", c.what, c.got, c.want)
		}
	}
	if err := r.Launch(context.Background()); err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if st := statusOf(t, f, "add"); st.State != Ready {
		t.Errorf("after Launch, add is %s, want ready", st.State)
	}
	if err := r.Finish(context.Background()); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if st := statusOf(t, f, "keep"); st.PID != before["keep"] {
		t.Errorf("keep's pid went from %d to %d, want it untouched", before["keep"], st.PID)
	}
	if st := statusOf(t, f, "change"); st.State != Ready || st.PID == before["change"] {
		t.Errorf("change is %s under pid %d (was %d), want ready under a new pid", st.State, st.PID, before["change"])
	}
	if slices.ContainsFunc(f.Status(), func(s ProcessStatus) bool { return s.Name == "drop" }) {
		t.Errorf("drop is still in the fleet's status")
	}
	waitFor(t, 5*time.Second, "drop's process gone", func() bool { return syscall.Kill(before["drop"], 0) != nil })
}

// TestReloadRefusesBayChanges: a reload that adds a bay is refused, naming
// it.
func TestReloadRefusesBayChanges(t *testing.T) {
	t.Parallel()
	m, _ := testManifest(t, helperShip("web", "listen"))
	f, _ := newFleet(t, m, Options{Timing: fastTiming(), SocketDir: t.TempDir()})
	m2, _ := testManifest(t, helperShip("web", "listen"))
	m2.Mothership.Env = m.Mothership.Env
	m2.Bays = []*manifest.Bay{{Process: manifest.Process{Name: "rack", Command: testExe}, Type: "http"}}
	if _, err := f.Plan(m2); err == nil || !strings.Contains(err.Error(), "bays rack") {
		t.Errorf("Plan with a new bay: %v, want a refusal naming rack", err)
	}
}
