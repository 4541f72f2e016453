package fleet

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
)

// TestCrashBackoff: restarts come after 1, 2, 4, 8 × BackoffBase; the
// fifth crash opens the circuit; one half-open try follows CircuitOpen
// later, and its crash opens the circuit again. Not parallel: it measures
// time.
func TestCrashBackoff(t *testing.T) {
	const base, open = 50 * time.Millisecond, 300 * time.Millisecond
	crasher := withEnv(helperShip("crasher", "exit"), "HELPER_CODE", "1")
	crasher.Critical = false
	m, notes := testManifest(t, crasher)
	timing := fastTiming()
	timing.BackoffBase, timing.CircuitOpen = base, open
	f, rec := start(t, m, Options{Timing: timing})

	circuits := func() int {
		n := 0
		for _, s := range rec.statesOf("crasher") {
			if s == CircuitOpen {
				n++
			}
		}
		return n
	}
	waitFor(t, 10*time.Second, "the circuit to open twice", func() bool { return circuits() >= 2 })
	starts := notes.times(t, "crasher", "start")
	if len(starts) != 6 {
		t.Fatalf("%d runs by the second open circuit, want 6 (first, 4 restarts, 1 half-open try)", len(starts))
	}
	// What the user sees, from one run's start to the next, includes the
	// helper's own start-up, so it only gives lower bounds; the supervisor's
	// own delays, from Backoff to Starting, must also grow.
	var gaps []time.Duration
	for i := 1; i < len(starts); i++ {
		gaps = append(gaps, starts[i].Sub(starts[i-1]))
	}
	delays := rec.delays("crasher", Backoff)
	t.Logf("gaps between runs: %v; backoff delays: %v", gaps, delays)
	if len(delays) != 4 {
		t.Fatalf("%d backoffs, want 4", len(delays))
	}
	for i, want := range []time.Duration{base, 2 * base, 4 * base, 8 * base} {
		if gaps[i] < want*9/10 || delays[i] < want*9/10 {
			t.Errorf("restart %d came %s after the run before (backoff %s), want at least %s", i+1, gaps[i], delays[i], want*9/10)
		}
		if i > 0 && delays[i] <= delays[i-1] {
			t.Errorf("backoff %d (%s) is no longer than backoff %d (%s)", i+1, delays[i], i, delays[i-1])
		}
	}
	if gaps[4] < open {
		t.Errorf("the half-open try came %s after the fifth crash, want at least CircuitOpen %s", gaps[4], open)
	}
	st := statusOf(t, f, "crasher")
	if st.State != CircuitOpen || st.Restarts != 5 {
		t.Errorf("status = %s with %d restarts, want circuit_open with 5", st.State, st.Restarts)
	}
	rec.mu.Lock()
	restarts := rec.restarts["crasher"]
	rec.mu.Unlock()
	if restarts != 5 {
		t.Errorf("Observer.Restart counted %d, want 5", restarts)
	}
	if !rec.hasEvent("warn crashed", "process=crasher", "status=exit status 1") {
		t.Errorf("no crash was logged")
	}
}

// TestCircuitCritical: a critical crasher crashes the fleet; a non-critical
// one stays down while the others keep running.
func TestCircuitCritical(t *testing.T) {
	t.Parallel()
	for _, critical := range []bool{true, false} {
		name := map[bool]string{true: "critical", false: "not critical"}[critical]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			crasher := withEnv(helperShip("crasher", "exit"), "HELPER_CODE", "1")
			crasher.Critical = critical
			m, _ := testManifest(t, crasher, helperShip("steady", "sleep"))
			timing := fastTiming()
			timing.BackoffBase, timing.CircuitAfter, timing.CircuitOpen = 10*time.Millisecond, 3, time.Minute
			f, rec := start(t, m, Options{Timing: timing})
			waitFor(t, 5*time.Second, "the circuit to open", func() bool {
				return slices.Contains(rec.statesOf("crasher"), CircuitOpen)
			})
			select {
			case err := <-f.Crashed():
				if !critical {
					t.Errorf("%s: Crashed fired: %v", name, err)
				} else if !strings.Contains(err.Error(), "crasher") || !strings.Contains(err.Error(), "exit status 1") {
					t.Errorf("%s: Crashed error %q does not name crasher and its status", name, err)
				}
			case <-time.After(300 * time.Millisecond):
				if critical {
					t.Errorf("%s: Crashed did not fire", name)
				}
			}
			if !critical && !rec.hasEvent("warn circuit open; not critical", "process=crasher") {
				t.Errorf("%s: the log does not say the crasher stays down", name)
			}
			steady := statusOf(t, f, "steady")
			if steady.State != Ready || !alive(steady.PID) {
				t.Errorf("%s: steady is %s (pid %d alive: %v), want it running", name, steady.State, steady.PID, alive(steady.PID))
			}
		})
	}
}

// TestHealth: Retries failing checks in a row make a ready ship unhealthy
// and take it out of routing; its run is ended and restarted as a health
// restart (not a crash), the new run is not ready while its check fails,
// and once it passes the ship is ready, healthy and in routing again.
func TestHealth(t *testing.T) {
	t.Parallel()
	sick := filepath.Join(t.TempDir(), "sick")
	s := withEnv(helperShip("web", "http"), "HELPER_SICK_FILE", sick)
	s.AutoPort = true
	s.Healthcheck = &manifest.Healthcheck{Path: "/health", Interval: 30 * time.Millisecond, Timeout: time.Second, Retries: 2}
	m, _ := testManifest(t, s)
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, rec := start(t, m, Options{})
	before := statusOf(t, f, "web")
	if !before.Healthy || f.Gate("web").State() != shipgate.Up {
		t.Errorf("web is not healthy and in routing after launch (gate %s)", f.Gate("web").State())
	}
	if err := os.WriteFile(sick, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "web to be restarted", func() bool { return statusOf(t, f, "web").HealthRestarts == 1 })
	if !rec.hasEvent("warn unhealthy", "process=web", "failures=2", "500") || !rec.hasEvent("warn out of routing", "process=web", "state=unhealthy") {
		t.Errorf("no warning says web is unhealthy and out of routing")
	}
	if !rec.hasEvent("warn restarting: health check failing", "process=web") {
		t.Errorf("no warning says web is restarted for its health")
	}
	if st := statusOf(t, f, "web"); st.State == Ready || st.Healthy || f.Gate("web").State() == shipgate.Up {
		t.Errorf("the new run of web is %s, healthy %v, gate %s while its check fails; want it not ready and out of routing", st.State, st.Healthy, f.Gate("web").State())
	}
	os.Remove(sick)
	waitFor(t, 5*time.Second, "web to be back in routing", func() bool { return f.Gate("web").State() == shipgate.Up })
	st := statusOf(t, f, "web")
	if st.State != Ready || !st.Healthy || st.PID == before.PID || st.Restarts != 0 || st.HealthRestarts != 1 {
		t.Errorf("web is %s, healthy %v, pid %d (was %d), %d crash restarts and %d health restarts; want a ready, healthy new run, 0 and 1",
			st.State, st.Healthy, st.PID, before.PID, st.Restarts, st.HealthRestarts)
	}
	if !rec.hasEvent("info back in routing", "process=web") {
		t.Errorf("no event says web is back in routing")
	}
}

// TestCrashCountDecaysAfterAStablePeriod: a process whose runs each last
// longer than StableAfter before crashing is forgiven each time: it never
// backs off past the first delay and its circuit never opens, however many
// times it crashes; each forgiveness is logged.
func TestCrashCountDecaysAfterAStablePeriod(t *testing.T) {
	t.Parallel() // a loaded machine only lengthens the runs, which keeps them stable
	crasher := withEnv(helperShip("crasher", "exit"), "HELPER_CODE", "1", "HELPER_DELAY", "250ms")
	crasher.Critical = false
	m, notes := testManifest(t, crasher)
	timing := fastTiming()
	timing.StableAfter = 100 * time.Millisecond
	_, rec := start(t, m, Options{Timing: timing})
	waitFor(t, 10*time.Second, "seven runs", func() bool { return len(notes.times(t, "crasher", "start")) >= 7 })
	if slices.Contains(rec.statesOf("crasher"), CircuitOpen) {
		t.Errorf("the circuit opened though every run was stable for longer than StableAfter")
	}
	if rec.hasEvent("crashes=2") {
		t.Errorf("a crash was counted as the second in a row after a stable run")
	}
	if !rec.hasEvent("info stable again: crash count reset", "process=crasher", "crashes=1") {
		t.Errorf("no word that the crash count was reset")
	}
}
