package docking

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// ErrNotDocked is what a request to a bay gets while no run of it is
// docked: it is booting, restarting after a crash, or stopped.
var ErrNotDocked = errors.New("bay is not docked")

// BerthConfig describes a bay to its berth.
type BerthConfig struct {
	// Name is the bay's name, for errors and logs.
	Name string
	// Version is the family: VersionWebSocket or VersionHTTP.
	Version int
	// Config goes to the bay in every Moored.
	Config map[string]string
	// Workers is the number of forked workers of an HTTP bay; each serves
	// the Dock's threads links, so the pool is Workers × threads links (0
	// workers: the bay serves from one process).
	Workers int
	// Log receives the berth's events; nil drops them.
	Log func(level, msg string, kv ...any)
}

// Berth is where one bay docks: each run of its process docks here (the
// fleet calls Dock), and the proxy sends the bay's traffic through the
// links of the run docked last. A phased restart docks the next run while
// the old one still serves: the berth moves to the new links, and the old
// ones close as their requests finish.
type Berth struct {
	cfg BerthConfig // Config and Workers change under mu (Reconfigure)

	mu      sync.Mutex
	cur     *mooring
	changed chan struct{} // closed and replaced whenever cur changes
}

// NewBerth returns the berth of a bay; nothing is docked yet.
func NewBerth(cfg BerthConfig) *Berth {
	if cfg.Log == nil {
		cfg.Log = func(string, string, ...any) {}
	}
	return &Berth{cfg: cfg, changed: make(chan struct{})}
}

// Name is the bay's name.
func (b *Berth) Name() string { return b.cfg.Name }

// Version is the bay's family: VersionWebSocket or VersionHTTP.
func (b *Berth) Version() int { return b.cfg.Version }

// Dock tries once to dock the run listening on socket, whose process is
// pid: it connects, handshakes the first link, and moves the berth's
// traffic to the run. An HTTP run's other links are opened in the
// background. Docking the run that is docked already succeeds at once.
func (b *Berth) Dock(ctx context.Context, socket string, pid int) error {
	b.mu.Lock()
	if b.cur != nil && b.cur.socket == socket && b.cur.pid == pid {
		b.mu.Unlock()
		return nil
	}
	cfg := b.cfg
	b.mu.Unlock()
	l, err := Dial(ctx, socket, cfg.Version, cfg.Config)
	if err != nil {
		return fmt.Errorf("docking: bay %s: %w", cfg.Name, err)
	}
	m := newMooring(b, cfg, socket, pid, l)
	b.mu.Lock()
	old := b.cur
	b.cur = m
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
	if old != nil {
		old.retire()
	}
	b.cfg.Log("info", "docked", "bay", b.cfg.Name, "socket", socket, "ship", l.Dock.Ship, "pid", l.Dock.PID, "links", m.size)
	m.start(l)
	return nil
}

// Reconfigure gives the bay a new config and worker count: the runs that
// dock from now on get them (a reload restarts the bay for that); the
// docked run keeps those it docked with.
func (b *Berth) Reconfigure(config map[string]string, workers int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cfg.Config, b.cfg.Workers = config, workers
}

// Undock lets go of the run on socket, which ended; its links close. A
// newer run that docked since is not touched.
func (b *Berth) Undock(socket string) {
	b.mu.Lock()
	m := b.cur
	if m == nil || m.socket != socket {
		b.mu.Unlock()
		return
	}
	b.cur = nil
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
	m.retire()
	b.cfg.Log("info", "undocked", "bay", b.cfg.Name, "socket", socket)
}

// Attach keeps a bay that the mothership did not launch docked, on its
// socket, until ctx ends: it docks, and docks again with backoff whenever
// the run's links are gone. It is for upstreams with protocol = "docking".
func (b *Berth) Attach(ctx context.Context, socket string) {
	delay := 50 * time.Millisecond
	for ctx.Err() == nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := b.Dock(dctx, socket, 0)
		cancel()
		if err == nil {
			delay = 50 * time.Millisecond
			b.waitGone(ctx)
			continue
		}
		b.cfg.Log("warn", "cannot dock; retrying", "bay", b.cfg.Name, "socket", socket, "error", err, "retry_in", delay)
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
	b.Undock(socket)
}

// waitGone returns once the current run has lost its last link (or ctx
// ended), undocking it so that Attach docks again.
func (b *Berth) waitGone(ctx context.Context) {
	b.mu.Lock()
	m := b.cur
	b.mu.Unlock()
	if m == nil {
		return
	}
	select {
	case <-ctx.Done():
	case <-m.lost:
		b.Undock(m.socket)
	}
}

// BerthStats is a snapshot of a berth, for metrics.
type BerthStats struct {
	// Name is the bay's name.
	Name string
	// Version is the bay's family: VersionWebSocket or VersionHTTP.
	Version int
	// Docked is set while a run of the bay is docked.
	Docked bool
	// Idle and Busy count the HTTP links of the docked run: waiting for a
	// request, and carrying one (or a tunnel).
	Idle, Busy int
	// Passengers counts the WebSocket clients of the docked run.
	Passengers int
}

// Stats returns a snapshot of the berth.
func (b *Berth) Stats() BerthStats {
	st := BerthStats{Name: b.cfg.Name, Version: b.cfg.Version}
	m, _ := b.current()
	if m == nil {
		return st
	}
	st.Docked = true
	if m.ws {
		mux := m.currentMux()
		mux.mu.Lock()
		st.Passengers = len(mux.passengers)
		mux.mu.Unlock()
		return st
	}
	st.Idle = len(m.free)
	st.Busy = max(0, int(m.live.Load())-st.Idle)
	return st
}

// current returns the docked run and the channel that closes when it
// changes.
func (b *Berth) current() (*mooring, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cur, b.changed
}

// Yard holds the berths of every bay; the fleet docks runs through it. A
// reload adds, reconfigures and removes berths (Update, Remove).
type Yard struct {
	mu     sync.RWMutex
	berths map[string]*Berth
}

// NewYard returns a yard with a berth for each bay.
func NewYard(bays ...BerthConfig) *Yard {
	y := &Yard{berths: map[string]*Berth{}}
	y.Update(bays...)
	return y
}

// Update adds a berth for each bay the yard has none for, and gives the
// others their config and worker count (see Berth.Reconfigure). A bay's
// name and family are its berth's for good.
func (y *Yard) Update(bays ...BerthConfig) {
	y.mu.Lock()
	defer y.mu.Unlock()
	for _, c := range bays {
		if b := y.berths[c.Name]; b != nil {
			b.Reconfigure(c.Config, c.Workers)
			continue
		}
		y.berths[c.Name] = NewBerth(c)
	}
}

// Keep removes the berths of the bays not named: they were landed, and
// what still runs on an old plan gets ErrNotDocked from their berths.
func (y *Yard) Keep(names []string) {
	y.mu.Lock()
	defer y.mu.Unlock()
	for name := range y.berths {
		if !slices.Contains(names, name) {
			delete(y.berths, name)
		}
	}
}

// Berth returns the named bay's berth, nil if there is none.
func (y *Yard) Berth(name string) *Berth {
	y.mu.RLock()
	defer y.mu.RUnlock()
	return y.berths[name]
}

// Stats returns a snapshot of every berth, in name order.
func (y *Yard) Stats() []BerthStats {
	y.mu.RLock()
	berths := maps.Clone(y.berths)
	y.mu.RUnlock()
	out := make([]BerthStats, 0, len(berths))
	for _, name := range slices.Sorted(maps.Keys(berths)) {
		out = append(out, berths[name].Stats())
	}
	return out
}

// Dock docks a run of the named bay (see Berth.Dock).
func (y *Yard) Dock(ctx context.Context, bay, socket string, pid int) error {
	b := y.Berth(bay)
	if b == nil {
		return fmt.Errorf("docking: no berth for bay %q", bay)
	}
	return b.Dock(ctx, socket, pid)
}

// Undock lets go of a run of the named bay (see Berth.Undock).
func (y *Yard) Undock(bay, socket string) {
	if b := y.Berth(bay); b != nil {
		b.Undock(socket)
	}
}
