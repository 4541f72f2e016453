package main

import (
	"sync"

	"github.com/mothership-go/mothership/fleet"
)

// distress is the fleet's Observer that sets the Mayday phase: once the
// fleet is Running, a process that crashed (backoff, or its circuit open)
// or failed its health check puts the mothership in Mayday, "distress
// mode, attempting recovery", and it is Running again once every such
// process is ready and healthy. Every state still reaches the metrics.
type distress struct {
	fleet.Observer
	phase func(fleet.Phase)

	mu     sync.Mutex
	flying bool            // Running, not yet draining: a fall is distress
	down   map[string]bool // the processes in distress
}

func newDistress(o fleet.Observer, phase func(fleet.Phase)) *distress {
	return &distress{Observer: o, phase: phase, down: map[string]bool{}}
}

// State implements fleet.Observer.
func (d *distress) State(process, group string, s fleet.State) {
	d.Observer.State(process, group, s)
	switch s {
	case fleet.Backoff, fleet.CircuitOpen:
		d.mark(process, true)
	case fleet.Ready, fleet.Stopped: // back, or landed by a reload
		d.mark(process, false)
	}
}

// Health implements fleet.Observer.
func (d *distress) Health(process, group string, healthy bool) {
	d.Observer.Health(process, group, healthy)
	d.mark(process, !healthy)
}

// mark records whether process is in distress and says the phase when
// the fleet's changes.
func (d *distress) mark(process string, down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	was := len(d.down) > 0
	if down {
		d.down[process] = true
	} else {
		delete(d.down, process)
	}
	now := len(d.down) > 0
	switch {
	case !d.flying || now == was:
	case now:
		d.phase(fleet.Mayday)
	default:
		d.phase(fleet.Running)
	}
}

// fly starts watching: the fleet is Running. A process still down from
// the launch counts from here.
func (d *distress) fly() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flying = true
	if len(d.down) > 0 {
		d.phase(fleet.Mayday)
	}
}

// land stops watching: the drain's phases are the landing's.
func (d *distress) land() {
	d.mu.Lock()
	d.flying = false
	d.mu.Unlock()
}
