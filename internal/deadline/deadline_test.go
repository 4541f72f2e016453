package deadline

import (
	"net"
	"testing"
	"time"
)

// countingConn counts the read deadlines set on it.
type countingConn struct {
	net.Conn
	sets int
	at   time.Time
}

func (c *countingConn) SetReadDeadline(t time.Time) error { c.sets++; c.at = t; return nil }

func TestCoarseRead(t *testing.T) {
	base := time.Unix(1000, 0)
	steps := []struct {
		name    string
		after   time.Duration
		timeout time.Duration
		sets    int
	}{
		{"the first sets it", 0, 60 * time.Second, 1},
		{"soon after, kept", 10 * time.Millisecond, 60 * time.Second, 1},
		{"half a second later, kept", 500 * time.Millisecond, 60 * time.Second, 1},
		{"past the slack, moved", 700 * time.Millisecond, 60 * time.Second, 2},
		{"a shorter timeout moves it at once", 0, 10 * time.Second, 3},
		{"a short timeout is precise", 0, 80 * time.Millisecond, 4},
		{"and moves after a tenth of it", 11 * time.Millisecond, 80 * time.Millisecond, 5},
	}
	c := &countingConn{}
	var d Coarse
	now := base
	for _, s := range steps {
		now = now.Add(s.after)
		d.Read(c, now, s.timeout)
		if c.sets != s.sets {
			t.Errorf("%s: %d deadlines set, want %d", s.name, c.sets, s.sets)
		}
		if early, late := now.Add(s.timeout), now.Add(s.timeout+slack(s.timeout)); c.at.Before(early) || c.at.After(late) {
			t.Errorf("%s: deadline %v after now, want between %v and %v", s.name, c.at.Sub(now), s.timeout, s.timeout+slack(s.timeout))
		}
	}
}
