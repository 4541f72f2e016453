package rawsock

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// Conn is a socket whose Read and Write are raw system calls.
type Conn struct {
	net.Conn
	rc syscall.RawConn

	// The operation in flight, for the closures below; a connection has
	// at most one read and one write at a time (net.Conn's own rule for
	// the streams a proxy uses), so one slot each is enough.
	rp, wp                       []byte
	rn, wn                       int
	rerr, werr                   syscall.Errno
	wfull                        bool // WriteRead's write found the socket full
	readFn, writeFn, writeReadFn func(uintptr) bool

	// Hold's state (hold_linux.go): the step, the descriptor it reads
	// with ReadNow, and whether it is running (Read refuses then).
	step    func() bool
	holdFn  func(uintptr) bool
	fd      uintptr
	holding bool
}

// Wrap returns nc with raw reads and writes when it is a TCP or Unix
// socket, else nc itself.
func Wrap(nc net.Conn) net.Conn {
	var sc syscall.Conn
	switch t := nc.(type) {
	case *net.TCPConn:
		sc = t
	case *net.UnixConn:
		sc = t
	default:
		return nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc
	}
	c := &Conn{Conn: nc, rc: rc}
	c.readFn = c.read
	c.writeFn = c.write
	c.writeReadFn = c.writeRead
	c.holdFn = c.holdStep
	return c
}

// Raw is the socket under c (netpeek unwraps it).
func (c *Conn) Raw() net.Conn { return c.Conn }

// CloseWrite half-closes the socket.
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// Read reads into p.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if c.holding {
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: errHeld}
	}
	c.rp, c.rn, c.rerr = p, 0, 0
	err := c.rc.Read(c.readFn)
	c.rp = nil
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: err}
	}
	if c.rerr != 0 {
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: c.rerr}
	}
	if c.rn == 0 {
		return 0, io.EOF
	}
	return c.rn, nil
}

func (c *Conn) read(fd uintptr) bool {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rp[0])), uintptr(len(c.rp)))
		switch e {
		case 0:
			c.rn = int(n)
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			c.rerr = e
		}
		return true
	}
}

// Write writes all of p, waiting on the poller when the socket is full.
func (c *Conn) Write(p []byte) (int, error) {
	c.wp, c.wn, c.werr = p, 0, 0
	var err error
	if len(p) > 0 {
		err = c.rc.Write(c.writeFn)
	}
	n := c.wn
	c.wp = nil
	if err == nil && c.werr != 0 {
		err = c.werr
	}
	if err != nil {
		return n, &net.OpError{Op: "write", Net: c.LocalAddr().Network(), Err: err}
	}
	return n, nil
}

func (c *Conn) write(fd uintptr) bool {
	for c.wn < len(c.wp) {
		rest := c.wp[c.wn:]
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&rest[0])), uintptr(len(rest)))
		switch e {
		case 0:
			c.wn += int(n)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.werr = e
			return true
		}
	}
	return true
}

// WriteRead writes all of w, then reads into r as Read does, with one
// system call less: the write is made inside the read's wait, after the
// poller was readied for it, so that the read waits for the peer without
// first trying the socket (EAGAIN, certain when the peer answers only
// what it was sent). The caller's promise is that the peer sends nothing
// before it has w, as an upstream answering a request; bytes it sent
// before anyway are read with the answer, or at the read deadline if no
// answer comes. When the socket cannot take all of w at once, the rest
// is written and the answer read in the usual way.
func (c *Conn) WriteRead(w, r []byte) (int, error) {
	if len(w) == 0 || len(r) == 0 {
		if _, err := c.Write(w); err != nil {
			return 0, err
		}
		return c.Read(r)
	}
	c.wp, c.wn, c.werr, c.wfull = w, 0, 0, false
	c.rp, c.rn, c.rerr = r, 0, 0
	err := c.rc.Read(c.writeReadFn)
	c.wp, c.rp = nil, nil
	switch {
	case c.werr != 0:
		return 0, &net.OpError{Op: "write", Net: c.LocalAddr().Network(), Err: c.werr}
	case c.wfull:
		if _, err := c.Write(w[c.wn:]); err != nil {
			return 0, err
		}
		return c.Read(r)
	case err != nil:
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: err}
	case c.rerr != 0:
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Err: c.rerr}
	case c.rn == 0:
		return 0, io.EOF
	}
	return c.rn, nil
}

// writeRead is WriteRead's step: the write first (done once all of wp is
// out; a full socket or an error ends the step), then the read.
func (c *Conn) writeRead(fd uintptr) bool {
	if c.wn < len(c.wp) {
		if !c.write(fd) {
			c.wfull = true
			return true
		}
		return c.werr != 0 // written: wait for the answer without trying
	}
	return c.read(fd)
}
