package manifest

import "time"

// The bounds of a ship's hold: past a minute a client is better told to
// come back, and a queue is memory that a flood could fill.
const (
	maxHoldOnRestart = time.Minute
	maxHoldQueue     = 65536
)

// readHold reads a ship's `hold_on_restart` (a duration or integer
// seconds; false or 0 holds nothing, true is the default) and
// `hold_queue`, over the template's values.
func readHold(t *table, s, tmpl *Ship) {
	s.HoldOnRestart = tmpl.HoldOnRestart
	s.HoldQueue = int(t.integer("hold_queue", int64(tmpl.HoldQueue), 1, maxHoldQueue))
	v, ok := t.get("hold_on_restart")
	if !ok {
		return
	}
	if b, isBool := v.(bool); isBool {
		s.HoldOnRestart = 0
		if b {
			s.HoldOnRestart = defaultHoldOnRestart
		}
		return
	}
	d := t.durationValue("hold_on_restart", v, tmpl.HoldOnRestart)
	if d > maxHoldOnRestart {
		t.r.errorf(t.key("hold_on_restart"), "%s is over the most, %s: a client waiting that long is better told to retry", d, maxHoldOnRestart)
		return
	}
	s.HoldOnRestart = d
}
