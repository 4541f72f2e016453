// Package shipgate owns the routing side's view of one ship: whether its
// address takes traffic, and, while the ship restarts, a bounded hold for
// the requests routed to it. The fleet sets a gate's state; the forward
// stage reads it with one atomic load per request and waits on it only
// when the ship is not up.
package shipgate

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// State is what a ship's address is good for.
type State uint8

// The states of a gate.
const (
	// Starting ships boot, restart or wait out a backoff: they will be up
	// soon, so requests may be held for them.
	Starting State = iota
	// Up ships take traffic.
	Up
	// Unhealthy ships failed their health check Retries times in a row:
	// they are out of routing and being restarted, so requests may be
	// held for them as for a Starting ship.
	Unhealthy
	// Down ships are not running and will not be soon (an open circuit,
	// a stopped fleet): out of routing, nothing is held for them.
	Down
)

// String names the state in logs.
func (s State) String() string {
	switch s {
	case Starting:
		return "starting"
	case Up:
		return "up"
	case Unhealthy:
		return "unhealthy"
	}
	return "down"
}

// phase is one state of a gate, from a Set to the next one, which closes
// ended: a waiter sleeps on the phase it saw, so it never misses a change.
type phase struct {
	state State
	ended chan struct{}
}

// holds reports whether requests may wait out this phase: the ship is on
// its way back.
func (ph *phase) holds() bool { return ph.state == Starting || ph.state == Unhealthy }

// Holds reports whether the gate's state is one that requests may wait out.
func (g *Gate) Holds() bool { return g.cur.Load().holds() }

// Gate is one ship's routing state and hold queue.
type Gate struct {
	cur      atomic.Pointer[phase]
	hold     atomic.Int64 // how long a request may wait, in nanoseconds; 0 holds nothing
	queue    atomic.Int32 // how many requests may wait at once
	waiting  atomic.Int32
	mu       sync.Mutex // orders Sets
	released chan struct{}
	release  sync.Once
}

// New returns a gate in the Starting state that holds nothing until
// Configure says how long and how many.
func New() *Gate {
	g := &Gate{released: make(chan struct{})}
	g.cur.Store(&phase{state: Starting, ended: make(chan struct{})})
	return g
}

// Configure sets how long a request may be held (0 holds none) and how
// many may be held at once.
func (g *Gate) Configure(hold time.Duration, queue int) {
	g.hold.Store(int64(hold))
	g.queue.Store(int32(queue))
}

// Hold is how long a request may be held.
func (g *Gate) Hold() time.Duration { return time.Duration(g.hold.Load()) }

// Set moves the gate to s and wakes whoever waits on the old state; it
// returns the state before.
func (g *Gate) Set(s State) State {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.cur.Load()
	if old.state == s {
		return s
	}
	g.cur.Store(&phase{state: s, ended: make(chan struct{})})
	close(old.ended)
	return old.state
}

// State is the gate's state now.
func (g *Gate) State() State { return g.cur.Load().state }

// Release ends every hold, now and later: at shutdown, a held request is
// answered at once.
func (g *Gate) Release() { g.release.Do(func() { close(g.released) }) }

// Waiting is how many requests are held now.
func (g *Gate) Waiting() int { return int(g.waiting.Load()) }

// Mark is the state a request saw when it was routed, so that after a
// failed attempt it can wait for the ship's next run rather than the one
// that failed it. The zero Mark is no state.
type Mark struct{ p *phase }

// Mark returns the gate's state now; a nil gate's Mark is up, as an
// address without a gate always takes traffic.
func (g *Gate) Mark() Mark {
	if g == nil {
		return Mark{}
	}
	return Mark{g.cur.Load()}
}

// Up reports whether the state seen takes traffic.
func (m Mark) Up() bool { return m.p == nil || m.p.state == Up }

// Verdict is how a hold ended.
type Verdict uint8

// The ends of a hold.
const (
	// Ready: the ship is up (again); send the request.
	Ready Verdict = iota
	// Refused: nothing is held now (no hold configured, the ship went
	// down or unhealthy, the hold queue is full, or the gates were
	// released for shutdown).
	Refused
	// Expired: the hold time passed before the ship was up.
	Expired
	// Gone: ctx ended (the client left).
	Gone
)

// String says how a hold ended, for the error log.
func (v Verdict) String() string {
	switch v {
	case Ready:
		return "the ship was ready"
	case Refused:
		return "the hold was refused (none configured, the queue full, the ship down, or shutting down)"
	case Expired:
		return "the ship was not back within hold_on_restart"
	}
	return "the client left"
}

// Await holds the caller until the gate is up in a state other than
// since, for at most the hold time. The caller's own goroutine waits; the
// queue bound counts it.
func (g *Gate) Await(ctx context.Context, since Mark) Verdict {
	hold := g.Hold()
	if hold <= 0 {
		return Refused
	}
	if g.waiting.Add(1) > g.queue.Load() {
		g.waiting.Add(-1)
		return Refused
	}
	defer g.waiting.Add(-1)
	timer := time.NewTimer(hold)
	defer timer.Stop()
	for {
		ph := g.cur.Load()
		switch {
		case ph == since.p:
		case ph.state == Up:
			return Ready
		case !ph.holds():
			return Refused
		}
		select {
		case <-ph.ended:
		case <-timer.C:
			return Expired
		case <-ctx.Done():
			return Gone
		case <-g.released:
			return Refused
		}
	}
}
