package fleet

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRestart: a running ship is replaced by a new run, which is ready when
// Restart returns, and is not counted as a crash; a crashed one waiting out
// an open circuit starts at once; bad names and finished oneshots are
// refused with the reason.
func TestRestart(t *testing.T) {
	t.Parallel()
	crasher := withEnv(helperShip("crasher", "exit"), "HELPER_CODE", "1")
	crasher.Critical, crasher.AutoPort = false, true
	oneshot := withEnv(helperShip("once", "exit"), "HELPER_CODE", "0")
	oneshot.Oneshot = true
	m, notes := testManifest(t, helperShip("web", "listen"), crasher, oneshot)
	m.Ships[0].AutoPort = true
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	timing := fastTiming()
	timing.CircuitAfter, timing.CircuitOpen = 1, time.Hour
	f, rec := newFleet(t, m, Options{Timing: timing})
	// The crasher fails its launch; the others are up regardless.
	_ = f.Launch(context.Background())
	waitFor(t, 10*time.Second, "web and once ready", func() bool {
		return statusOf(t, f, "web").State == Ready && statusOf(t, f, "once").State == Ready
	})

	old := statusOf(t, f, "web")
	if err := f.Restart(context.Background(), "web"); err != nil {
		t.Fatalf("Restart(web): %v", err)
	}
	now := statusOf(t, f, "web")
	if now.State != Ready || now.PID == old.PID || now.PID == 0 {
		t.Errorf("after Restart(web): state %s pid %d (was %d), want ready under a new pid", now.State, now.PID, old.PID)
	}
	if now.Restarts != 0 || len(rec.delays("web", Backoff)) != 0 {
		t.Errorf("Restart(web) counted as a crash: restarts %d, backoffs %d", now.Restarts, len(rec.delays("web", Backoff)))
	}
	if got := len(notes.times(t, "web", "start")); got != 2 {
		t.Errorf("web started %d times, want 2", got)
	}

	waitFor(t, 10*time.Second, "the crasher's circuit to open", func() bool { return statusOf(t, f, "crasher").State == CircuitOpen })
	before := len(notes.times(t, "crasher", "start"))
	// The new run crashes too, which Restart reports.
	err := f.Restart(context.Background(), "crasher")
	if err == nil || !strings.Contains(err.Error(), "ended before it was ready") {
		t.Errorf("Restart(crasher) = %v, want the new run's crash", err)
	}
	if got := len(notes.times(t, "crasher", "start")); got != before+1 {
		t.Errorf("crasher started %d times after Restart, want %d: the open circuit was not cut short", got, before+1)
	}

	for _, tt := range []struct{ name, want string }{
		{"nope", `no ship or bay named "nope" (there are: web, crasher, once)`},
		{"once", "a oneshot that finished is not restarted"},
	} {
		waitFor(t, 10*time.Second, "once to finish", func() bool { return statusOf(t, f, "once").PID == 0 })
		if err := f.Restart(context.Background(), tt.name); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Restart = %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
