package rawsock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
)

// errHeld is Read's answer inside Hold's step: the poller's read lock is
// the step's, so a Read there would wait for itself.
var errHeld = errors.New("rawsock: Read inside Hold: use ReadNow")

// Hold calls step inside one read of the poller, again each time the
// socket may have become readable, for as long as step asks to wait
// (returns true). It saves the read that Read makes before it waits: Read
// readies the poller anew on every call, which forgets readiness that came
// since the last one, so it must try the socket first (EAGAIN, certain
// when a keep-alive client only sends its next request after the answer).
// Under one Hold the poller is readied once, so nothing that arrives after
// a ReadNow is forgotten: once a ReadNow found the socket's queue empty (it
// read less than it could), step may wait without trying again. step reads
// with ReadNow only; Read returns an error inside it. Writes, deadlines and
// Close work as ever; a deadline or Close ends the wait with an error.
func (c *Conn) Hold(step func() (wait bool)) error {
	c.step = step
	err := c.rc.Read(c.holdFn)
	c.step = nil
	if err != nil {
		return &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: err}
	}
	return nil
}

// holdStep is Hold's callback, bound once per connection in Wrap's hold.
func (c *Conn) holdStep(fd uintptr) bool {
	c.fd, c.holding = fd, true
	wait := c.step()
	c.holding = false
	return !wait
}

// ReadNow reads into p without waiting, inside Hold's step: again is set
// when the socket has nothing to read; io.EOF when the peer closed.
func (c *Conn) ReadNow(p []byte) (n int, again bool, err error) {
	if len(p) == 0 {
		return 0, false, nil
	}
	c.rp, c.rn, c.rerr = p, 0, 0
	done := c.read(c.fd)
	c.rp = nil
	switch {
	case !done:
		return 0, true, nil
	case c.rerr != 0:
		return 0, false, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: c.rerr}
	case c.rn == 0:
		return 0, false, io.EOF
	}
	return c.rn, false, nil
}

// Dup returns a second connection to c's socket with its own place in the
// poller, for a reader that cannot wait for Hold's step to return: an
// upgrade handed over inside it. Closing one leaves the other open.
func (c *Conn) Dup() (net.Conn, error) {
	fc, ok := c.Conn.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, fmt.Errorf("rawsock: dup: %T has no File", c.Conn)
	}
	f, err := fc.File()
	if err != nil {
		return nil, fmt.Errorf("rawsock: dup: %w", err)
	}
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("rawsock: dup: %w", err)
	}
	return Wrap(nc), nil
}
