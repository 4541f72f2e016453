package engine

import "net"

// holder is a socket that can keep one read of the poller open across
// many requests (rawsock's Conn on Linux): between two requests of a
// keep-alive client the connection then waits for the next one without
// first trying the socket, a system call that on this path always finds
// nothing. See rawsock.Conn.Hold.
type holder interface {
	Hold(step func() (wait bool)) error
	ReadNow(p []byte) (n int, again bool, err error)
	Dup() (net.Conn, error)
}

// nextHead reads the next head into c.req, as readHead does, serving on
// its way the requests that need nothing more from the socket than their
// head (and a body already read with it) inside one Hold; it returns
// true with a head that needs more (a body still to come, an upgrade),
// served then outside it.
func (c *conn) nextHead() bool {
	if c.hold == nil {
		return c.readHead()
	}
	c.startHead()
	c.readPending, c.headOutside = false, false
	if c.hold.Hold(c.heldStepFn) != nil {
		return false
	}
	return c.headOutside
}

// heldStep is Hold's step: it reads what the socket has, serves every
// whole head that can be served within it, and asks to wait once it needs
// more and the last read left the socket's queue empty; it returns false
// (done) when the connection is to close or a head is to be served
// outside (c.headOutside).
func (c *conn) heldStep() (wait bool) {
	c.held = true
	defer func() { c.held = false }()
	drained := false // the last read left the socket's queue empty
	for {
		if c.readPending {
			if drained {
				return true
			}
			room := len(c.rbuf) - c.w
			n, again, err := c.hold.ReadNow(c.rbuf[c.w:])
			if again {
				return true
			}
			c.readPending, drained = false, n < room
			if !c.afterRead(n, err) {
				return false
			}
		}
		switch c.parseHead() {
		case headEnd:
			return false
		case headReady:
			if !c.holdable() {
				c.headOutside = true
				return false
			}
			if !c.exchange() {
				return false
			}
			c.startHead()
			continue
		}
		if !c.beforeRead() {
			return false
		}
		c.readPending = true
	}
}

// holdable reports whether the parsed head's exchange needs nothing more
// from the socket: no upgrade asked for, and no body or one already in
// the read buffer. (An upgrade a handler makes anyway takes a duplicate
// of the socket: Hijack.)
func (c *conn) holdable() bool {
	req := &c.req
	return req.Upgrade == "" && !req.Chunked && int64(c.w-c.head) >= req.ContentLength
}
