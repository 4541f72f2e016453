// Package deadline sets connection deadlines coarsely: a deadline is moved
// only when the one set is off by more than an eighth of the timeout (at
// most a second), so that a connection serving requests back to back does
// not touch its timer for every read or write. Each deadline is then
// between timeout and timeout plus that slack away.
package deadline

import (
	"net"
	"time"
)

// slack is how much later a deadline may be than asked.
func slack(timeout time.Duration) time.Duration { return min(time.Second, timeout/8) }

// Coarse is one direction's deadline of one connection; the zero value
// has none set.
type Coarse struct{ at time.Time }

// Read makes c's read deadline at least now+timeout away.
func (d *Coarse) Read(c net.Conn, now time.Time, timeout time.Duration) {
	if t := now.Add(timeout); t.After(d.at) || d.at.Sub(t) > slack(timeout) {
		d.at = t.Add(slack(timeout))
		c.SetReadDeadline(d.at)
	}
}

// Write makes c's write deadline at least now+timeout away.
func (d *Coarse) Write(c net.Conn, now time.Time, timeout time.Duration) {
	if t := now.Add(timeout); t.After(d.at) || d.at.Sub(t) > slack(timeout) {
		d.at = t.Add(slack(timeout))
		c.SetWriteDeadline(d.at)
	}
}
