package fleet

import (
	"context"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
)

// TestGateFollowsRestartAndStop: a request held while Restart replaces
// the run goes out once the new run is ready; a request held at Stop is
// let go, and the gate of a stopped ship refuses to hold.
func TestGateFollowsRestartAndStop(t *testing.T) {
	t.Parallel()
	s := helperShip("web", "http")
	s.AutoPort = true
	s.HoldOnRestart, s.HoldQueue = time.Minute, 4
	m, _ := testManifest(t, s)
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, rec := start(t, m, Options{})
	g := f.Gate("web")
	if g == nil || g.State() != shipgate.Up {
		t.Fatalf("web's gate after launch: %v", g)
	}
	held := make(chan shipgate.Verdict, 1)
	restarted := make(chan error, 1)
	go func() { restarted <- f.Restart(context.Background(), "web") }()
	waitFor(t, 5*time.Second, "the restart to take web out of routing", func() bool { return g.State() != shipgate.Up })
	go func() { held <- g.Await(context.Background(), shipgate.Mark{}) }()
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if v := <-held; v != shipgate.Ready {
		t.Errorf("a request held during the restart: %v, want ready", v)
	}
	if !rec.hasEvent("warn out of routing", "process=web", "state=starting", "hold_on_restart=1m0s") || !rec.hasEvent("info back in routing", "process=web") {
		t.Errorf("the restart's routing changes are not logged")
	}

	f.ReleaseHolds()
	if v := g.Await(context.Background(), g.Mark()); v != shipgate.Refused {
		t.Errorf("a hold after ReleaseHolds: %v, want refused", v)
	}
	if err := f.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if g.State() != shipgate.Down {
		t.Errorf("web's gate after Stop: %s, want down", g.State())
	}
}
