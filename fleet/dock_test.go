package fleet

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// fakeDocker docks a run once it has been asked failUntil times, and
// records every call.
type fakeDocker struct {
	mu        sync.Mutex
	failUntil int
	tries     map[string]int // socket → Dock calls
	docked    []dockCall
	undocked  []string // sockets
}

type dockCall struct {
	socket string
	pid    int
}

func (d *fakeDocker) Dock(_ context.Context, _, socket string, pid int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tries == nil {
		d.tries = map[string]int{}
	}
	if d.tries[socket]++; d.tries[socket] <= d.failUntil {
		return errors.New("no socket yet")
	}
	if !slices.Contains(d.docked, dockCall{socket, pid}) {
		d.docked = append(d.docked, dockCall{socket, pid})
	}
	return nil
}

func (d *fakeDocker) Undock(_, socket string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.undocked = append(d.undocked, socket)
}

func (d *fakeDocker) snapshot() ([]dockCall, []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.docked), slices.Clone(d.undocked)
}

func helperBay(name, typ string) *manifest.Bay {
	return &manifest.Bay{
		Process:     manifest.Process{Name: name, Command: testExe, Env: map[string]string{"GO_FLEET_HELPER": "sleep"}},
		Type:        typ,
		Threads:     1,
		BootTimeout: 5 * time.Second,
	}
}

// TestBayReadyOnceDocked: a bay is ready when its run docked, after the
// tries that failed; its run's end undocks it, and the restart docks again.
func TestBayReadyOnceDocked(t *testing.T) {
	t.Parallel()
	sockets := t.TempDir()
	m, _ := testManifest(t)
	m.Bays = []*manifest.Bay{helperBay("rack", "http")}
	d := &fakeDocker{failUntil: 3}
	f, rec := start(t, m, Options{SocketDir: sockets, Docker: d})

	socket := filepath.Join(sockets, "rack.sock")
	docked, _ := d.snapshot()
	pid := statusOf(t, f, "rack").PID
	if want := []dockCall{{socket, pid}}; !slices.Equal(docked, want) {
		t.Fatalf("docked %v, want %v", docked, want)
	}
	if tries := d.tries[socket]; tries != 4 {
		t.Errorf("ready after %d tries to dock, want 4 (3 failed)", tries)
	}
	if s := statusOf(t, f, "rack").State; s != Ready {
		t.Errorf("state %s after docking, want ready", s)
	}

	syscall.Kill(pid, syscall.SIGKILL)
	waitFor(t, 5*time.Second, "the crashed run to undock", func() bool {
		_, undocked := d.snapshot()
		return slices.Contains(undocked, socket)
	})
	waitFor(t, 5*time.Second, "the restarted run to dock", func() bool {
		docked, _ := d.snapshot()
		return len(docked) == 2 && docked[1].socket == socket && docked[1].pid != pid
	})
	if rec.restarts["rack"] != 1 {
		t.Errorf("%d restarts, want 1", rec.restarts["rack"])
	}
}

func TestSocketPathTooLong(t *testing.T) {
	m, _ := testManifest(t)
	m.Bays = []*manifest.Bay{helperBay("rack", "http")}
	long := "/tmp/" + strings.Repeat("d", 100)
	_, err := New(m, Options{Logger: newRecorder(), SocketDir: long})
	if err == nil || !strings.Contains(err.Error(), "MS_SOCKET_DIR") || !strings.Contains(err.Error(), "rack") {
		t.Errorf("a socket path past sun_path: %v, want an error naming the bay and MS_SOCKET_DIR", err)
	}
}

// TestPhasedRestart: the next generation starts on a socket of its own and
// docks before the old run is stopped; the fleet then supervises the new
// run, with no crash counted. WebSocket bays are not phased.
func TestPhasedRestart(t *testing.T) {
	t.Parallel()
	sockets := t.TempDir()
	m, _ := testManifest(t)
	m.Bays = []*manifest.Bay{helperBay("rack", "http"), helperBay("cable", "websocket")}
	d := &fakeDocker{}
	f, rec := start(t, m, Options{SocketDir: sockets, Docker: d})
	old, cable := statusOf(t, f, "rack").PID, statusOf(t, f, "cable").PID

	if err := f.PhasedRestart(context.Background()); err != nil {
		t.Fatalf("PhasedRestart: %v", err)
	}
	next := statusOf(t, f, "rack")
	docked, undocked := d.snapshot()
	want := dockCall{filepath.Join(sockets, "rack.1.sock"), next.PID}
	if next.PID == old || !slices.Contains(docked, want) {
		t.Fatalf("after the phased restart: pid %d (was %d), docked %v; want %v", next.PID, old, docked, want)
	}
	if alive(old) {
		t.Errorf("the old generation (pid %d) still runs", old)
	}
	if !slices.Contains(undocked, filepath.Join(sockets, "rack.sock")) {
		t.Errorf("the old generation was not undocked: %v", undocked)
	}
	if next.State != Ready || next.Restarts != 0 || slices.Contains(rec.statesOf("rack"), Backoff) {
		t.Errorf("after the phased restart: state %s, %d restarts, states %v; want ready, no crash", next.State, next.Restarts, rec.statesOf("rack"))
	}
	if statusOf(t, f, "cable").PID != cable {
		t.Error("the websocket bay was restarted too")
	}
	if !rec.hasEvent("Phased restart complete") {
		t.Error("no \"Phased restart complete\" event")
	}

	// The new generation is supervised: its crash restarts it on its socket.
	syscall.Kill(next.PID, syscall.SIGKILL)
	waitFor(t, 5*time.Second, "the new generation to restart", func() bool {
		s := statusOf(t, f, "rack")
		return s.State == Ready && s.PID != next.PID && s.PID != 0
	})
	docked, _ = d.snapshot()
	if last := docked[len(docked)-1]; last.socket != want.socket {
		t.Errorf("the restart docked on %s, want the new generation's %s", last.socket, want.socket)
	}
}
