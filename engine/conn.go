package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/mothership-go/mothership/internal/deadline"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/engine/h2"
	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/internal/netpeek"
	"github.com/mothership-go/mothership/internal/rawsock"
	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/pipeline"
)

// A connection's states, for the drain: only an idle one may be closed
// under it.
const (
	stateActive int32 = iota
	stateIdle
	stateClosing
)

// readBufferSize is a new connection's read buffer: room for a browser's
// head and the start of its body.
const readBufferSize = 8 << 10

// chunkRoom is the free space kept after a head for reading a chunked body.
const chunkRoom = 4 << 10

// conn is one client connection and everything reused across its
// requests. The head of the exchange in flight is rbuf[r:head]; bytes read
// past it and not consumed are rbuf[pos:w].
type conn struct {
	srv  *Server
	nc   net.Conn
	sock netpeek.Socket
	// scheme is "https" on a TLS connection, "http" otherwise.
	scheme string
	rdl    deadline.Coarse // the read deadline, moved only when it must be
	wdl    deadline.Coarse // the write deadline
	state  atomic.Int32

	rbuf          []byte
	r, head, pos  int
	w             int
	ctx           context.Context
	peer          netip.AddrPort
	peerIP        string
	peerTrusted   bool
	req           h1.Request
	x             pipeline.Exchange
	body          body
	rw            response
	fp            ja4h.Fingerprinter
	aborted       bool
	handedOver    bool
	dupHandedOver bool // the upgrade took a duplicate of the socket (hold.go)
	lingerOwed    bool // a refusal was written: linger before closing
	headStarted   bool // the head being read has its first bytes
	idleWait      bool // the read being made waits between requests

	// Serving within one Hold (hold.go): the socket, if it can; the step,
	// bound once; whether the step is running, a read is to be made next,
	// and a head was left to serve outside.
	hold          holder
	heldStepFn    func() bool
	held          bool
	readPending   bool
	headOutside   bool
	released      bool
	counted       bool // against its peer's cap (caps.go)
	h2c           bool // the client sent the HTTP/2 preface (http2.go)
	requestsSoFar int
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: rawsock.Wrap(nc), rbuf: make([]byte, readBufferSize), ctx: s.hard, scheme: "http"}
	if _, ok := nc.(*tls.Conn); ok {
		c.scheme = "https"
	}
	c.body.c = c
	c.rw.c = c
	c.rw.buf = make([]byte, 0, writeBufferSize)
	if h, ok := c.nc.(holder); ok {
		c.hold = h
		c.heldStepFn = c.heldStep
	}
	return c
}

// serve runs the connection's exchanges until it closes.
func (c *conn) serve() {
	defer c.release()
	defer c.close()
	c.sock = netpeek.Of(c.nc)
	isH2, ok := c.handshake()
	if !ok {
		return
	}
	if isH2 {
		c.serveH2(nil)
		return
	}
	for c.nextHead() && c.exchange() {
	}
	if c.h2c {
		c.serveH2(c.rbuf[:c.w])
	}
}

// close lingers after a refusal, then closes the socket unless an upgrade
// took it over (one handed over as a duplicate still closes this one).
func (c *conn) close() {
	if c.lingerOwed {
		c.linger()
	}
	if !c.handedOver || c.dupHandedOver {
		c.nc.Close()
	}
}

// exchange serves the request whose head c.req holds; false when the
// connection is to close.
func (c *conn) exchange() bool {
	if !c.srv.admitClient(c) {
		c.refuse(errTooManyFromClient)
		return false
	}
	if !c.begin() {
		return false
	}
	c.srv.Handler.Serve(&c.x)
	if c.handedOver || !c.finish() {
		return false
	}
	c.requestsSoFar++
	return true
}

// release stops counting the connection as one the drain waits for; it
// runs when the connection closes, or earlier when it is handed over.
func (c *conn) release() {
	if !c.released {
		c.released = true
		c.srv.untrack(c)
	}
}

// peerOf sets the connection's peer once the PROXY header, if any, was
// read (the first Read of a PROXY-protocol conn reads it).
func (c *conn) peerOf() {
	if c.requestsSoFar > 0 {
		return
	}
	c.peer = netip.AddrPort{}
	if ta, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
		c.peer = ta.AddrPort()
		c.peer = netip.AddrPortFrom(c.peer.Addr().Unmap(), c.peer.Port())
	}
	c.peerIP = ""
	if c.peer.IsValid() {
		c.peerIP = c.peer.Addr().String()
	}
	c.peerTrusted = c.srv.Trusted.Contains(c.peer.Addr())
}

// readHead reads until a whole head is in rbuf[r:head] and parsed into
// c.req. It returns false when the connection is to close: the client
// left, a timeout, the drain, or a refused head (answered first).
func (c *conn) readHead() bool {
	c.startHead()
	for {
		switch c.parseHead() {
		case headReady:
			return true
		case headEnd:
			return false
		}
		if !c.beforeRead() {
			return false
		}
		n, err := c.nc.Read(c.rbuf[c.w:])
		if !c.afterRead(n, err) {
			return false
		}
	}
}

// What parseHead found in the read buffer.
const (
	headMore  = iota // not a whole head yet
	headReady        // a head, parsed into c.req
	headEnd          // the connection is to close (refused, or the HTTP/2 preface)
)

// startHead begins the next head after the bytes consumed so far.
func (c *conn) startHead() {
	if c.pos == c.w {
		c.r, c.pos, c.w = 0, 0, 0
	} else {
		c.r = c.pos
	}
	c.headStarted = false
}

// parseHead parses what the read buffer holds of the next head.
func (c *conn) parseHead() int {
	if c.r < c.w && c.prefacePending() {
		if c.w >= len(h2.Preface) {
			c.h2c = true
			return headEnd
		}
	} else if c.r < c.w {
		n, err := h1.ParseRequest(c.rbuf[c.r:c.w], &c.srv.limits.Head, &c.req)
		if err != nil {
			c.refuse(err)
			return headEnd
		}
		if n > 0 {
			c.head = c.r + n
			c.pos = c.head
			return headReady
		}
	}
	return headMore
}

// beforeRead readies a read of more of a head: room in the buffer, an
// answer still buffered sent (the client may wait for it before it sends
// the rest), and the deadline: the idle one between requests, the head's
// once a head began. False when the connection is to close.
func (c *conn) beforeRead() bool {
	c.makeRoom()
	if c.rw.flush() != nil {
		return false
	}
	c.idleWait = c.r == c.w
	if c.idleWait {
		return c.waitIdle()
	}
	if !c.headStarted {
		c.headStarted = true
		c.rdl.Read(c.nc, time.Now(), c.srv.limits.ReadHeaderTimeout)
	}
	return true
}

// afterRead takes n bytes read; false when the connection is to close.
func (c *conn) afterRead(n int, err error) bool {
	if c.idleWait && !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // the drain closed it while idle
	}
	c.w += n
	if err != nil && n == 0 {
		return false
	}
	if c.idleWait && !c.headStarted && c.r < c.w {
		c.peerOf()
	}
	return true
}

// waitIdle prepares the wait for a new request: false once the drain's
// idle grace is over. In the grace the wait ends with it, so that a
// request already on its way is still served (and told to close).
func (c *conn) waitIdle() bool {
	timeout := c.srv.limits.IdleTimeout
	if c.requestsSoFar == 0 {
		timeout = c.srv.limits.ReadHeaderTimeout
	}
	now := time.Now()
	if c.srv.draining.Load() {
		left := time.Duration(c.srv.graceEnd.Load() - now.UnixNano())
		if left <= 0 {
			return false
		}
		c.nc.SetReadDeadline(now.Add(left))
		c.rdl = deadline.Coarse{} // the next Read deadline is set anew
	} else {
		c.rdl.Read(c.nc, now, timeout)
	}
	c.state.Store(stateIdle)
	if c.srv.draining.Load() && c.srv.graceEnd.Load() <= time.Now().UnixNano() {
		return false
	}
	return true
}

// makeRoom makes room after rbuf[w] for more of a head: it moves the
// unparsed bytes to the front (no exchange is in flight), or grows the
// buffer up to the head limit plus what a pipelined request may bring.
func (c *conn) makeRoom() {
	if c.w < len(c.rbuf) {
		return
	}
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
		return
	}
	c.grow(len(c.rbuf))
}

// grow replaces rbuf by one with at least extra more bytes. The old one is
// not reused: the strings of a head in flight may point into it.
func (c *conn) grow(extra int) {
	nb := make([]byte, len(c.rbuf)+max(extra, readBufferSize))
	copy(nb, c.rbuf[:c.w])
	c.rbuf = nb
}

// refuse answers a head h1 refused and lets the connection close.
func (c *conn) refuse(err error) {
	var he *h1.Error
	if !errors.As(err, &he) {
		he = &h1.Error{Status: 400, Reason: err.Error()}
	}
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.limits.SendTimeout))
	c.rw.buf = appendRefusal(c.rw.buf[:0], he)
	_, werr := c.nc.Write(c.rw.buf)
	c.rw.buf = c.rw.buf[:0]
	c.lingerOwed = werr == nil // at close: a Hold's step cannot read
}

// Lingering after a refusal, as nginx's lingering_close: at most this
// long and this much.
const (
	lingerTime  = time.Second
	lingerBytes = 1 << 20
)

// linger half-closes the connection and reads what the client still
// sends, so that closing with its bytes unread does not reset the
// connection before the client has read the refusal.
func (c *conn) linger() {
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	for n := 0; n < lingerBytes; {
		m, err := c.nc.Read(c.rbuf)
		n += m
		if err != nil {
			return
		}
	}
}

// Context is the connection's context: it ends when the drain is cut
// short.
func (c *conn) Context() context.Context { return c.ctx }

// ClientGone reports whether the client closed or broke the connection.
func (c *conn) ClientGone() bool {
	if c.pos < c.w {
		return false // it sent more: still there
	}
	return c.sock.Peek() == netpeek.Closed
}

// Abort makes the connection close once the exchange returns.
func (c *conn) Abort() { c.aborted = true }
