// Package netpeek tells, without blocking and without reading, whether the
// peer of a socket has closed it: the check the engine makes for a client
// that left while its request waits, and the upstream pools for an idle
// connection the upstream closed before it is reused.
package netpeek

import (
	"errors"
	"net"
	"syscall"
)

// State is what a peek saw on a socket.
type State uint8

const (
	// Quiet: the peer is there and sent nothing.
	Quiet State = iota
	// Pending: bytes are waiting to be read.
	Pending
	// Closed: the peer closed or broke the connection.
	Closed
)

// Socket is the descriptor under a connection, kept to peek at it. The
// connection's owner must not peek after closing it.
type Socket struct {
	fd int
	ok bool
	b  [1]byte
}

// Of returns the socket under nc, unwrapping a PROXY-protocol conn (any
// conn with a Raw method) and a TLS conn (NetConn): a peer that closed the
// socket under TLS closed it all the same. A conn that is not a socket
// gives a Socket whose Peek is always Quiet.
func Of(nc net.Conn) Socket {
	for {
		if r, ok := nc.(interface{ Raw() net.Conn }); ok {
			nc = r.Raw()
		} else if r, ok := nc.(interface{ NetConn() net.Conn }); ok {
			nc = r.NetConn()
		} else {
			break
		}
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return Socket{}
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return Socket{}
	}
	var s Socket
	if raw.Control(func(fd uintptr) { s.fd, s.ok = int(fd), true }) != nil {
		return Socket{}
	}
	return s
}

// Peek looks at the socket without blocking and without consuming a byte.
// It calls recvfrom directly on the descriptor instead of through
// RawConn.Read, whose closure would cost an allocation per peek; on Linux
// as a raw system call (see package rawsock for why).
func (s *Socket) Peek() State {
	if !s.ok {
		return Quiet
	}
	for {
		n, err := recvPeek(s.fd, &s.b)
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EAGAIN):
			return Quiet
		case err != nil || n == 0:
			return Closed
		}
		return Pending
	}
}
