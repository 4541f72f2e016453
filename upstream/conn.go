package upstream

import (
	"errors"
	"github.com/mothership-go/mothership/internal/deadline"
	"io"
	"net"
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/internal/netpeek"
	"github.com/mothership-go/mothership/internal/rawsock"
)

// Buffer sizes of an upstream connection.
const (
	connReadBuffer  = 64 << 10 // a 16 KiB answer and its head in one read
	connWriteBuffer = 8 << 10
	// bodyRoom is the free space kept after a response head for its body.
	bodyRoom = 8 << 10
)

// errUpstreamClosed is a response cut before its head was complete.
var errUpstreamClosed = errors.New("the upstream closed the connection before a whole response head")

// Conn is one connection to an upstream address. The head of the response
// in flight is rbuf[:head]; body bytes read past it are rbuf[pos:w]. The
// response's fields point into rbuf, so the connection goes back to its
// pool only when the exchange ends (it is a pipeline.Releaser).
type Conn struct {
	pool      *Pool
	nc        net.Conn
	sock      netpeek.Socket
	rdl, wdl  deadline.Coarse // read and write deadlines, moved only when they must be
	rbuf      []byte
	head, pos int
	w         int
	wbuf      []byte
	unsent    []byte // a request that readSome writes before it reads
	obuf      []byte // the values of the fields we own, as they are built
	resp      h1.Response
	dec       h1.Chunked
	reused    bool
	got       bool          // a byte of the response arrived
	keepAlive time.Duration // the upstream's Keep-Alive timeout, 0 if none
	expires   time.Time
	// clock is the time as last read in the exchange, before its last
	// wait: a deadline set from it is early by that wait at most, and a
	// read that times out reads the clock again before giving up.
	clock    time.Time
	reusable bool // set when the exchange left it clean for another
	// clean: its last exchange leaves nothing the upstream could answer
	// again (a request without a body, a response framed by its length or
	// chunks), so that it may be reused without a peek (pool.go).
	clean      bool
	trustUntil time.Time // reuse without a peek until then
}

func newConn(p *Pool, nc net.Conn) *Conn {
	nc = rawsock.Wrap(nc)
	return &Conn{pool: p, nc: nc, sock: netpeek.Of(nc), rbuf: make([]byte, connReadBuffer), wbuf: make([]byte, 0, connWriteBuffer)}
}

func (c *Conn) close() { c.nc.Close() }

// Release returns the connection to its pool when the exchange left it
// reusable, and closes it otherwise.
func (c *Conn) Release() {
	if c.reusable {
		c.reusable = false
		c.pool.put(c, c.clock) // early by the last wait: it expires sooner, never later
		return
	}
	c.close()
}

// readHead reads a response head into rbuf and parses it, skipping
// nothing: 1xx heads are returned like final ones. until bounds the
// wait; every second without an answer, client is asked whether it is
// still there (nil: not asked).
func (c *Conn) readHead(until time.Time, client clientConn) error {
	// A previous head (1xx) and its extra bytes: start after them.
	if c.pos < c.w {
		c.w = copy(c.rbuf, c.rbuf[c.pos:c.w])
	} else {
		c.w = 0
	}
	c.head, c.pos = 0, 0
	for {
		if c.w > 0 {
			n, err := h1.ParseResponse(c.rbuf[:c.w], &c.resp)
			if err != nil {
				return err
			}
			if n > 0 {
				c.head, c.pos = n, n
				return nil
			}
		}
		if c.w == len(c.rbuf) {
			if len(c.rbuf) >= maxResponseHead {
				return &h1.Error{Status: 502, Reason: "the response head is too long"}
			}
			c.grow(len(c.rbuf))
		}
		if err := c.readSome(until, client); err != nil {
			return err
		}
	}
}

// maxResponseHead bounds a response head, as the request head is bounded.
const maxResponseHead = 64 << 10

// readSome reads into rbuf[w:], waking every second to ask whether the
// client is still there.
func (c *Conn) readSome(until time.Time, client clientConn) error {
	for {
		c.rdl.Read(c.nc, c.clock, min(time.Second, until.Sub(c.clock)))
		n, err := c.read()
		c.w += n
		if n > 0 {
			c.got = true
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && c.tick().Before(until) {
			if client != nil && client.ClientGone() {
				return errClientGone
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return errUpstreamClosed
		}
		return err
	}
}

// read reads into rbuf[w:], writing the unsent request first (the
// upstream sends nothing before it, so the read need not try the socket
// before waiting: rawsock.WriteRead).
func (c *Conn) read() (int, error) {
	if c.unsent == nil {
		return c.nc.Read(c.rbuf[c.w:])
	}
	w := c.unsent
	c.unsent = nil
	return rawsock.WriteRead(c.nc, w, c.rbuf[c.w:])
}

// tick reads the clock.
func (c *Conn) tick() time.Time {
	c.clock = time.Now()
	return c.clock
}

// grow replaces rbuf by a larger one; the old one stays as it is for the
// strings that point into it.
func (c *Conn) grow(extra int) {
	nb := make([]byte, len(c.rbuf)+max(extra, connReadBuffer))
	copy(nb, c.rbuf[:c.w])
	c.rbuf = nb
}

// clientConn is the part of pipeline.Conn a wait asks.
type clientConn interface{ ClientGone() bool }

// errClientGone stops a wait for a client that left.
var errClientGone = errors.New("the client went away")
