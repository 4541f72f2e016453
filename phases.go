package main

import (
	"sync"

	"github.com/mothership-go/mothership/fleet"
)

// phaseWatch is the fleet's Observer that says the phases the fleet's
// states decide, every state still reaching the metrics:
//
//   - Docking, while the launch waits for its bays to dock ("bays
//     connecting"), then Launching once every bay has docked, while the
//     ships that are left get ready;
//   - Mayday, once the fleet is Running, while a process that crashed
//     (backoff, or its circuit open) or failed its health check is down
//     ("distress mode, attempting recovery"), and Running again once every
//     such process is ready and healthy.
type phaseWatch struct {
	fleet.Observer
	phase func(fleet.Phase)

	mu     sync.Mutex
	undock map[string]bool // the bays the launch waits for
	flying bool            // Running, not yet draining: a fall is distress
	down   map[string]bool // the processes in distress
}

func newPhaseWatch(o fleet.Observer, phase func(fleet.Phase)) *phaseWatch {
	return &phaseWatch{Observer: o, phase: phase, undock: map[string]bool{}, down: map[string]bool{}}
}

// State implements fleet.Observer.
func (d *phaseWatch) State(process, group string, s fleet.State) {
	d.Observer.State(process, group, s)
	if s == fleet.Ready {
		d.docked(process)
	}
	switch s {
	case fleet.Backoff, fleet.CircuitOpen:
		d.mark(process, true)
	case fleet.Ready, fleet.Stopped: // back, or landed by a reload
		d.mark(process, false)
	}
}

// Health implements fleet.Observer.
func (d *phaseWatch) Health(process, group string, healthy bool) {
	d.Observer.Health(process, group, healthy)
	d.mark(process, !healthy)
}

// mark records whether process is in phaseWatch and says the phase when
// the fleet's changes.
func (d *phaseWatch) mark(process string, down bool) {
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
func (d *phaseWatch) fly() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flying = true
	if len(d.down) > 0 {
		d.phase(fleet.Mayday)
	}
}

// land stops watching: the drain's phases are the landing's.
func (d *phaseWatch) land() {
	d.mu.Lock()
	d.flying = false
	d.mu.Unlock()
}

// launch says the launch's first phase: Docking while bays are to dock,
// else Launching.
func (d *phaseWatch) launch(bays []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, b := range bays {
		d.undock[b] = true
	}
	if len(d.undock) > 0 {
		d.phase(fleet.Docking)
	} else {
		d.phase(fleet.Launching)
	}
}

// docked notes a process ready; the last bay of the launch to dock ends
// Docking.
func (d *phaseWatch) docked(process string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.undock[process] {
		return
	}
	delete(d.undock, process)
	if len(d.undock) == 0 {
		d.phase(fleet.Launching)
	}
}
