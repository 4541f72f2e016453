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
	rp, wp          []byte
	rn, wn          int
	rerr, werr      syscall.Errno
	readFn, writeFn func(uintptr) bool
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
