package upstream

import (
	"net"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/netpeek"
	"github.com/mothership-go/mothership/manifest"
)

// closedIdle puts into p a connection whose upstream end has closed it,
// as the pool keeps it after an exchange: clean or not, with the
// upstream's Keep-Alive timeout, kept at now. It returns once the close
// reached the socket (a peek sees it).
func closedIdle(t *testing.T, p *Pool, clean bool, keepAlive time.Duration, now time.Time) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	peer, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(p, nc)
	t.Cleanup(func() { nc.Close() })
	peer.Close()
	for deadline := time.Now().Add(5 * time.Second); c.sock.Peek() != netpeek.Closed; {
		if time.Now().After(deadline) {
			t.Fatal("the upstream's close never reached the socket")
		}
		time.Sleep(time.Millisecond)
	}
	c.clean, c.keepAlive = clean, keepAlive
	p.put(c, now)
}

// TestPoolReusesRecentConnectionsWithoutAPeek: a connection the upstream
// closed is still handed out, unpeeked, only when its last exchange was
// clean and recent, the request can be resent, and the pool saw no stale
// connection lately; otherwise the peek sees the close and drops it.
func TestPoolReusesRecentConnectionsWithoutAPeek(t *testing.T) {
	base := time.Now()
	cases := []struct {
		name       string
		clean      bool
		after      time.Duration
		keepAlive  time.Duration
		resendable bool
		stale      bool
		unpeeked   bool
	}{
		{"clean, recent, resendable: no peek", true, 10 * time.Millisecond, 0, true, false, true},
		{"a request that cannot be resent peeks", true, 10 * time.Millisecond, 0, false, false, false},
		{"after a request with a body it peeks", false, 10 * time.Millisecond, 0, true, false, false},
		{"past recentUse it peeks", true, recentUse + time.Millisecond, 0, true, false, false},
		{"within half a short Keep-Alive: no peek", true, 400 * time.Millisecond, time.Second, true, false, true},
		{"past half a short Keep-Alive it peeks", true, 600 * time.Millisecond, time.Second, true, false, false},
		{"a pool that saw a stale one peeks", true, 10 * time.Millisecond, 0, true, true, false},
	}
	for _, tc := range cases {
		p := NewPool(manifest.Addr{Network: "tcp", Address: "127.0.0.1:1"}, time.Second)
		if tc.stale {
			p.sawStale(base)
		}
		closedIdle(t, p, tc.clean, tc.keepAlive, base)
		c := p.get(base.Add(tc.after), tc.resendable)
		if got := c != nil; got != tc.unpeeked {
			t.Errorf("%s: handed out %v, want %v", tc.name, got, tc.unpeeked)
		}
		if !tc.unpeeked && !tc.stale && p.staleUntil.Load() == 0 {
			t.Errorf("%s: the peek saw the close but the pool did not remember it", tc.name)
		}
	}
}
