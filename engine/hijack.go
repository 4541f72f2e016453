package engine

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// errNotUpgrade is Hijack's answer before a 101 was written.
var errNotUpgrade = errors.New("engine: Hijack before a 101 Switching Protocols head")

// Hijack hands the connection over after a 101 head: the head is flushed,
// the bytes the client sent past its request are returned first by the
// conn's Read, and the engine keeps the conn only to close it at the end
// of a shutdown (CloseUpgraded). The caller closes it.
func (c *conn) Hijack() (net.Conn, error) {
	if c.rw.status != 101 {
		return nil, errNotUpgrade
	}
	if err := c.rw.flush(); err != nil {
		return nil, err
	}
	nc := c.nc
	if c.held {
		// The step holds the socket's read until the handler returns, and
		// the tunnel must read it before then: it gets a duplicate, and
		// close shuts this one when the step is over.
		dup, err := c.hold.Dup()
		if err != nil {
			return nil, fmt.Errorf("engine: hijack: %w", err)
		}
		nc, c.dupHandedOver = dup, true
	}
	nc.SetDeadline(time.Time{})
	u := &upgradedConn{Conn: nc, srv: c.srv}
	if c.pos < c.w {
		u.early = append([]byte(nil), c.rbuf[c.pos:c.w]...)
	}
	c.pos = c.w
	c.handedOver = true
	c.srv.hijacked(u)
	c.release() // the drain does not wait for a tunnel: CloseUpgraded ends it
	return u, nil
}

// upgradedConn is a connection handed over for an upgrade.
type upgradedConn struct {
	net.Conn
	srv   *Server
	early []byte // read past the request before the hand-over
	once  sync.Once
}

// Read returns the early bytes first.
func (u *upgradedConn) Read(p []byte) (int, error) {
	if len(u.early) > 0 {
		n := copy(p, u.early)
		u.early = u.early[n:]
		return n, nil
	}
	return u.Conn.Read(p)
}

// CloseWrite half-closes the connection when the socket can, so that a
// tunnel tells one side that the other finished.
func (u *upgradedConn) CloseWrite() error {
	if cw, ok := u.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return u.Conn.Close()
}

// Close closes the connection and forgets it.
func (u *upgradedConn) Close() error {
	u.once.Do(func() { u.srv.released(u) })
	return u.Conn.Close()
}
