package fleet

import (
	"context"
	"net"
	"path/filepath"
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

// TestReloadRollsAShipWithAFreePort: a changed ship whose port is drawn
// at launch rolls: Plan gives it a new port, Launch starts the new run
// there and waits until it accepts connections while the old run still
// serves on the old port, and Finish stops the old run only then. The
// observer's last word on the ship is the new run's Ready.
func TestReloadRollsAShipWithAFreePort(t *testing.T) {
	t.Parallel()
	web := helperShip("web", "listen")
	web.AutoPort = true
	m, _ := testManifest(t, web)
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, rec := newFleet(t, m, Options{Timing: fastTiming()})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	oldPID, oldAddr := statusOf(t, f, "web").PID, m.Ships[0].Bind.Address

	web2 := withEnv(helperShip("web", "listen"), "NEW", "1")
	web2.AutoPort = true
	m2, _ := testManifest(t, web2)
	m2.Mothership.Env = m.Mothership.Env
	KeepPorts(m, m2)
	if err := AssignPorts(m2); err != nil {
		t.Fatal(err)
	}
	r, err := f.Plan(m2)
	if err != nil {
		t.Fatal(err)
	}
	newAddr := m2.Ships[0].Bind.Address
	if !slices.Equal(r.Rolled, []string{"web"}) || len(r.Restarted) > 0 || newAddr == oldAddr {
		t.Fatalf("Plan: rolled %v, restarted %v, port %s (was %s); want web rolled onto a new port", r.Rolled, r.Restarted, newAddr, oldAddr)
	}
	if err := r.Launch(context.Background()); err != nil {
		t.Fatalf("Launch: %v", err)
	}
	newPID := statusOf(t, f, "web").PID
	for _, addr := range []string{oldAddr, newAddr} {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Errorf("after Launch, %s does not accept connections: %v; want the old and the new run both serving", addr, err)
			continue
		}
		c.Close()
	}
	if newPID == oldPID || !alive(oldPID) {
		t.Errorf("after Launch: status pid %d (old %d, alive %v), want the new run in status and the old one running", newPID, oldPID, alive(oldPID))
	}
	if err := r.Finish(context.Background()); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	waitFor(t, 5*time.Second, "the old run gone", func() bool { return !alive(oldPID) })
	if st := statusOf(t, f, "web"); st.State != Ready || st.PID != newPID {
		t.Errorf("after Finish web is %s under pid %d, want ready under %d", st.State, st.PID, newPID)
	}
	if states := rec.statesOf("web"); states[len(states)-1] != Ready {
		t.Errorf("the observer last heard %v of web (all: %v), want Ready: the old run's Stopped must not be reported", states[len(states)-1], states)
	}
}

// TestReloadRollsBackWhenTheNewRunFails: a rolled ship whose new run
// exits before it is ready fails the reload, though it is not critical;
// the old run keeps its name and keeps running.
func TestReloadRollsBackWhenTheNewRunFails(t *testing.T) {
	t.Parallel()
	web := helperShip("web", "listen")
	web.AutoPort = true
	m, _ := testManifest(t, web)
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, _ := newFleet(t, m, Options{Timing: fastTiming()})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	oldPID := statusOf(t, f, "web").PID
	broken := withEnv(helperShip("web", "exit"), "HELPER_CODE", "1")
	broken.AutoPort, broken.BootTimeout = true, 2*time.Second
	m2, _ := testManifest(t, broken)
	m2.Mothership.Env = m.Mothership.Env
	KeepPorts(m, m2)
	r, err := f.Plan(m2)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Launch(context.Background()); err == nil {
		t.Fatal("Launch of a run that exits at once: nil, want an error")
	}
	if st := statusOf(t, f, "web"); st.PID != oldPID || st.State != Ready || !alive(oldPID) {
		t.Errorf("after the failed roll web is %s under pid %d (alive %v), want the old run %d ready", st.State, st.PID, alive(oldPID), oldPID)
	}
}

// TestReloadBays: a reload launches an added bay (its socket directory
// made, as for a fleet that had none), restarts one whose config changed
// and lands a removed one; a bay that would become a ship is refused,
// naming it.
func TestReloadBays(t *testing.T) {
	t.Parallel()
	keep, change, drop := helperBay("keep", "http"), helperBay("change", "http"), helperBay("drop", "websocket")
	m, _ := testManifest(t)
	m.Bays = []*manifest.Bay{keep, change, drop}
	docker := &fakeDocker{}
	f, _ := newFleet(t, m, Options{Timing: fastTiming(), SocketDir: filepath.Join(t.TempDir(), "s"), Docker: docker})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := map[string]int{}
	for _, name := range []string{"keep", "change", "drop"} {
		before[name] = statusOf(t, f, name).PID
	}
	change2, add := helperBay("change", "http"), helperBay("add", "websocket")
	change2.Config = map[string]any{"greeting": "hi"}
	m2, _ := testManifest(t)
	m2.Mothership.Env = m.Mothership.Env
	m2.Bays = []*manifest.Bay{helperBay("keep", "http"), change2, add}
	r, err := f.Plan(m2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"added", r.Added, []string{"add"}}, {"removed", r.Removed, []string{"drop"}}, {"restarted", r.Restarted, []string{"change"}}, {"rolled", r.Rolled, nil}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("Plan: %s %v, want %v", c.what, c.got, c.want)
		}
	}
	if err := r.Launch(context.Background()); err != nil {
		t.Fatalf("Launch: %v", err)
	}
	if err := r.Finish(context.Background()); err != nil {
		t.Fatalf("Finish: %v", err)
	}
	for _, c := range []struct {
		name  string
		state State
		same  bool
	}{{"keep", Ready, true}, {"change", Ready, false}, {"add", Ready, false}} {
		st := statusOf(t, f, c.name)
		if st.State != c.state || (st.PID == before[c.name]) != c.same {
			t.Errorf("%s: %s under pid %d (was %d), want %s, pid kept %v", c.name, st.State, st.PID, before[c.name], c.state, c.same)
		}
	}
	waitFor(t, 5*time.Second, "drop's process gone", func() bool { return !alive(before["drop"]) })
	docked, _ := docker.snapshot()
	if !slices.ContainsFunc(docked, func(d dockCall) bool { return strings.HasSuffix(d.socket, "/add.sock") }) {
		t.Errorf("the added bay never docked: %v", docked)
	}

	m3, _ := testManifest(t, helperShip("keep", "sleep"))
	m3.Mothership.Env = m.Mothership.Env
	if _, err := f.Plan(m3); err == nil || !strings.Contains(err.Error(), "http keep would become a test ship") {
		t.Errorf("Plan turning bay keep into a ship: %v, want a refusal naming it", err)
	}
}
