package fleet

import (
	"github.com/mothership-go/mothership/internal/shipgate"
)

// Gate returns the routing state of the ship named name, which the proxy
// reads per request: nil for a name that is not a ship taking traffic at
// its own bind. A ship keeps its gate across reloads, so that a plan
// compiled before a reload restarts it follows the new run.
func (f *Fleet) Gate(name string) *shipgate.Gate {
	p := f.lookup(name)
	if p == nil {
		return nil
	}
	return p.gate
}

// ReleaseHolds answers every request held for a restarting ship, and every
// later one at once: the mothership is shutting down, and a held request
// would only wait out its hold.
func (f *Fleet) ReleaseHolds() {
	f.gatesMu.Lock()
	defer f.gatesMu.Unlock()
	f.holdsReleased = true
	for _, g := range f.gates {
		g.Release()
	}
}

// gateOf returns the gate of the ship named name, made on first use.
func (f *Fleet) gateOf(name string) *shipgate.Gate {
	f.gatesMu.Lock()
	defer f.gatesMu.Unlock()
	g := f.gates[name]
	if g == nil {
		g = shipgate.New()
		if f.holdsReleased {
			g.Release()
		}
		f.gates[name] = g
	}
	return g
}

// gateState is what a process state means for routing; ok is false for
// states that leave the gate as it is.
func (p *proc) gateState(s State) (g shipgate.State, ok bool) {
	switch s {
	case Ready:
		return shipgate.Up, true
	case Pending, Starting, Backoff:
		return shipgate.Starting, true
	case Stopping, Stopped:
		// Restart and a reload stop a run to start the next one at once.
		if !p.stopping || p.restarting {
			return shipgate.Starting, true
		}
		return shipgate.Down, true
	case CircuitOpen:
		return shipgate.Down, true
	}
	return 0, false
}

// replace marks the process as one that a reload stops and starts again,
// so that its requests are held as for a restart.
func (p *proc) replace() {
	p.mu.Lock()
	p.restarting = true
	p.mu.Unlock()
}

// route moves the ship's gate to s and logs a change in or out of routing.
func (p *proc) route(s shipgate.State) {
	if p.gate == nil {
		return
	}
	old := p.gate.Set(s)
	switch {
	case old == s:
	case old == shipgate.Up:
		if s == shipgate.Starting && p.gate.Hold() > 0 {
			p.f.log.Event("warn", "out of routing", "process", p.name, "state", s, "hold_on_restart", p.gate.Hold())
		} else {
			p.f.log.Event("warn", "out of routing", "process", p.name, "state", s)
		}
	case s == shipgate.Up && p.backInRouting():
		p.f.log.Event("info", "back in routing", "process", p.name)
	}
}

// backInRouting reports whether a run before this one was in routing.
func (p *proc) backInRouting() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readyRun > 1
}
