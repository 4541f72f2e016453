package upstream

import "time"

// Passive ejection defaults: a member of a pool of two or more that
// refuses this many connections in a row is ejected for ejectBase, twice as
// long each time it is ejected again before it served, up to ejectCap.
const (
	ejectAfter = 3
	ejectBase  = 5 * time.Second
	ejectCap   = 2 * time.Minute
)

// change is a set of a member's transitions, each logged once.
type change uint8

// The transitions of a member.
const (
	wentDown change = 1 << iota // the active check failed unhealthy_threshold times in a row
	cameUp                      // it passed healthy_threshold times in a row after that
	ejected                     // connections failed ejectAfter times in a row
	cameBack                    // the ejection ended (its time, or a passing check)
)

// health is a member's state machine, without clock or goroutine: the
// member feeds it probe results and ejections under its lock.
type health struct {
	unhealthyAt, healthyAt int  // thresholds in a row; 0 without active checks
	down                   bool // the active check's verdict
	ejected                bool // passive: connections failed
	fails, oks             int  // probe results in a row
	ejections              int  // ejections since the member last served
}

// available reports whether the member takes traffic.
func (h *health) available() bool { return !h.down && !h.ejected }

// probed applies one active check's result.
func (h *health) probed(ok bool) change {
	var c change
	if ok {
		h.fails = 0
		h.oks++
		if h.ejected {
			h.ejected = false
			c |= cameBack
		}
		if h.down && h.oks >= h.healthyAt {
			h.down = false
			c |= cameUp
		}
		return c
	}
	h.oks = 0
	h.fails++
	if !h.down && h.fails >= h.unhealthyAt {
		h.down = true
		c |= wentDown
	}
	return c
}

// eject ejects the member and returns for how long; ok is false when it
// is out of routing already (ejected or down), which changes nothing.
func (h *health) eject() (d time.Duration, ok bool) {
	if h.ejected || h.down {
		return 0, false
	}
	h.ejected = true
	d = ejectBase << min(h.ejections, 10)
	h.ejections++
	return min(d, ejectCap), true
}

// ejectionEnded ends an ejection when its time is up.
func (h *health) ejectionEnded() change {
	if !h.ejected {
		return 0
	}
	h.ejected = false
	return cameBack
}

// served records that the member answered after an ejection: the next
// ejection starts at ejectBase again.
func (h *health) served() { h.ejections = 0 }
