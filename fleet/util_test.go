package fleet

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// testExe is this test binary, which the helper ships run.
var testExe = func() string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return exe
}()

// helperShip is a ship running the test binary as the given helper.
func helperShip(name, mode string, deps ...string) *manifest.Ship {
	return &manifest.Ship{
		Process: manifest.Process{
			Name:      name,
			Command:   testExe,
			Env:       map[string]string{"GO_FLEET_HELPER": mode},
			DependsOn: deps,
		},
		Group:       "test",
		BootTimeout: 10 * time.Second,
	}
}

// withEnv adds environment entries to a ship.
func withEnv(s *manifest.Ship, kv ...string) *manifest.Ship {
	for i := 0; i+1 < len(kv); i += 2 {
		s.Env[kv[i]] = kv[i+1]
	}
	return s
}

// testManifest returns a manifest whose helpers note events in a file.
func testManifest(t *testing.T, ships ...*manifest.Ship) (*manifest.Manifest, *noteLog) {
	t.Helper()
	log := &noteLog{path: filepath.Join(t.TempDir(), "notes")}
	return &manifest.Manifest{
		Ships: ships,
		Mothership: manifest.Mothership{
			// A race-enabled helper would otherwise linger a second at exit.
			Env:          map[string]string{"HELPER_LOG": log.path, "GORACE": "atexit_sleep_ms=0"},
			DrainTimeout: 5 * time.Second,
		},
	}, log
}

// fastTiming shortens every clock for tests.
func fastTiming() Timing {
	return Timing{
		Grace:        3 * time.Second,
		BackoffBase:  20 * time.Millisecond,
		CircuitAfter: 5,
		CircuitOpen:  300 * time.Millisecond,
		StableAfter:  10 * time.Second,
		ReadyPoll:    10 * time.Millisecond,
		MemoryEvery:  50 * time.Millisecond,
	}
}

// start makes a fleet of m, launches it and stops it when the test ends.
func start(t *testing.T, m *manifest.Manifest, opts Options) (*Fleet, *recorder) {
	t.Helper()
	f, rec := newFleet(t, m, opts)
	if err := f.Launch(context.Background()); err != nil {
		t.Fatalf("Launch: %v", err)
	}
	return f, rec
}

// newFleet makes a fleet of m that is stopped when the test ends.
func newFleet(t *testing.T, m *manifest.Manifest, opts Options) (*Fleet, *recorder) {
	t.Helper()
	rec := newRecorder()
	opts.Logger, opts.Observer = rec, rec
	if opts.Timing == (Timing{}) {
		opts.Timing = fastTiming()
	}
	f, err := New(m, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Stop(context.Background()); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return f, rec
}

// recorder is the Logger and Observer of a test fleet.
type recorder struct {
	mu       sync.Mutex
	events   []string // "level msg k=v ..."
	lines    []outLine
	states   map[string][]State
	stateAt  map[string][]time.Time
	health   map[string][]bool
	restarts map[string]int
	memory   map[string][2]uint64
}

type outLine struct{ process, stream, line string }

func newRecorder() *recorder {
	return &recorder{states: map[string][]State{}, stateAt: map[string][]time.Time{}, health: map[string][]bool{}, restarts: map[string]int{}, memory: map[string][2]uint64{}}
}

func (r *recorder) Output(process, stream, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, outLine{process, stream, line})
}

func (r *recorder) Event(level, msg string, kv ...any) {
	var b strings.Builder
	b.WriteString(level + " " + msg)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %v=%v", kv[i], kv[i+1])
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, b.String())
}

func (r *recorder) State(process, _ string, s State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states[process] = append(r.states[process], s)
	r.stateAt[process] = append(r.stateAt[process], time.Now())
}

func (r *recorder) Health(process, _ string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.health[process] = append(r.health[process], ok)
}

func (r *recorder) Restart(process, _ string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.restarts[process]++
}

func (r *recorder) Memory(process, _ string, rss, virtual uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.memory[process] = [2]uint64{rss, virtual}
}

// hasEvent reports whether an event contains all of parts.
func (r *recorder) hasEvent(parts ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.ContainsFunc(r.events, func(e string) bool {
		for _, p := range parts {
			if !strings.Contains(e, p) {
				return false
			}
		}
		return true
	})
}

func (r *recorder) statesOf(process string) []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.states[process])
}

// delays returns, for each time process left state from, how long it stayed.
func (r *recorder) delays(process string, from State) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []time.Duration
	states, at := r.states[process], r.stateAt[process]
	for i := 0; i+1 < len(states); i++ {
		if states[i] == from {
			out = append(out, at[i+1].Sub(at[i]))
		}
	}
	return out
}

func (r *recorder) healthOf(process string) []bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.health[process])
}

func (r *recorder) output(process, stream string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.lines {
		if l.process == process && l.stream == stream {
			out = append(out, l.line)
		}
	}
	return out
}

// noteLog reads what the helpers noted.
type noteLog struct{ path string }

// times returns when ship noted event, in order.
func (n *noteLog) times(t *testing.T, ship, event string) []time.Time {
	t.Helper()
	f, err := os.Open(n.path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []time.Time
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 3 && fs[0] == ship && fs[1] == event {
			ns, _ := strconv.ParseInt(fs[2], 10, 64)
			out = append(out, time.Unix(0, ns))
		}
	}
	return out
}

// at returns when ship first noted event, waiting a little for it: a
// process that is ready may not have said so yet.
func (n *noteLog) at(t *testing.T, ship, event string) time.Time {
	t.Helper()
	var ts []time.Time
	waitFor(t, 5*time.Second, ship+" to note "+event, func() bool {
		ts = n.times(t, ship, event)
		return len(ts) > 0
	})
	return ts[0]
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// alive reports whether pid is a live process; a zombie waiting for a
// lazy init to reap it is dead.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err) && !strings.HasPrefix(err.Error(), "open /proc")
	}
	i := strings.LastIndexByte(string(stat), ')')
	return i < 0 || !strings.HasPrefix(string(stat[i+1:]), " Z")
}

// statusOf finds a process in a status snapshot.
func statusOf(t *testing.T, f *Fleet, name string) ProcessStatus {
	t.Helper()
	for _, s := range f.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("%s is not in the fleet's status", name)
	return ProcessStatus{}
}
