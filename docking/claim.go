package docking

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrWrongRequest is wrapped by the error for a frame whose request id is
// not the one the link is serving: the link is out of step.
var ErrWrongRequest = errors.New("docking: frame for another request")

// readyTimeout bounds the wait for Ready after a response is complete: the
// bay sends it once its after-response callbacks ran, which should be
// quick; a bay that never does leaves the link out of step.
const readyTimeout = 30 * time.Second

// Claim is an HTTP link taken from a berth for one request: send the Hail
// and the body, read the Reply and its body, then Finish (the link goes
// back to the pool after Ready) or Abandon (it closes, and a replacement
// is opened). A Claim is used by one goroutine, except that a tunnel's two
// directions may be driven by one goroutine each.
type Claim struct {
	link  *Link
	m     *mooring
	id    uint32
	hail  HailBuilder
	frame []byte // the Hail's memory, kept for the next claim
	reply Reply
	body  haulReader
	buf   []byte // a body chunk read from the client
	idle  time.Duration
	ended bool
}

var claims = sync.Pool{New: func() any { return new(Claim) }}

// Claim takes an idle link of the docked run for one request, waiting for
// one until ctx ends. With no run docked it fails with ErrNotDocked.
func (b *Berth) Claim(ctx context.Context) (*Claim, error) {
	if b.cfg.Version != VersionHTTP {
		return nil, fmt.Errorf("docking: bay %s is a websocket bay: it takes no HTTP requests", b.cfg.Name)
	}
	for {
		m, changed := b.current()
		if m == nil {
			return nil, fmt.Errorf("docking: bay %s: %w", b.cfg.Name, ErrNotDocked)
		}
		select {
		case l := <-m.free:
			c := claims.Get().(*Claim)
			c.link, c.m, c.id, c.ended, c.idle = l, m, m.ids.Add(1), false, 0
			c.body = haulReader{c: c}
			return c, nil
		case <-changed: // a new run docked, or this one went: look again
		case <-ctx.Done():
			return nil, fmt.Errorf("docking: bay %s: waiting for a free link: %w", b.cfg.Name, context.Cause(ctx))
		}
	}
}

// ID is the request's id on the link.
func (c *Claim) ID() uint32 { return c.id }

// PID is the process that serves the link (its Dock's pid): the worker to
// recycle when it is stuck on the request. 0 when the bay did not say.
func (c *Claim) PID() int { return c.link.Dock.PID }

// StartHail begins the request head for a body of contentLength bytes;
// add the params to the builder it returns, then SendHail.
func (c *Claim) StartHail(contentLength uint64) *HailBuilder {
	c.hail.Start(c.frame[:0], c.id, contentLength)
	return &c.hail
}

// SendHail sends the head built since StartHail, and flushes it.
func (c *Claim) SendHail() error {
	frame, err := c.hail.Finish()
	c.frame = frame[:0]
	if err != nil {
		return err
	}
	if err := c.link.W.WriteEncoded(frame); err != nil {
		return err
	}
	return c.link.W.Flush()
}

// SendBody sends exactly n bytes of body from r as Haul frames, the last
// one with FIN, and flushes them. A body of 0 bytes sends nothing: the bay
// would read a stray Haul as the next request.
func (c *Claim) SendBody(r io.Reader, n int64) error {
	if n == 0 {
		return nil
	}
	if c.buf == nil {
		c.buf = make([]byte, HaulChunkLen)
	}
	for n > 0 {
		k, err := io.ReadFull(r, c.buf[:min(int64(len(c.buf)), n)])
		if err != nil {
			return fmt.Errorf("docking: request body: %d bytes short: %w", n, err)
		}
		n -= int64(k)
		if err := c.link.W.WriteHaul(c.id, n == 0, c.buf[:k]); err != nil {
			return err
		}
	}
	return c.link.W.Flush()
}

// ReadReply reads the response head. Its headers alias the link's buffer:
// use them before reading the body.
func (c *Claim) ReadReply() (*Reply, error) {
	f, err := c.next(TypeReply)
	if err != nil {
		return nil, err
	}
	if err := c.reply.Decode(f.Payload); err != nil {
		return nil, err
	}
	if c.reply.RequestID != c.id {
		return nil, fmt.Errorf("docking: Reply for request %d on the link of request %d: %w", c.reply.RequestID, c.id, ErrWrongRequest)
	}
	return &c.reply, nil
}

// Body reads a stream reply's body, or a tunnel's bytes from the bay: the
// data of its Hauls, until the FIN, where it returns io.EOF.
func (c *Claim) Body() io.Reader { return &c.body }

// SetIdleTimeout makes each Body read fail when no Haul arrives for d; 0
// (the default) waits as long as it takes.
func (c *Claim) SetIdleTimeout(d time.Duration) { c.idle = d }

// TunnelWrite sends bytes into a tunnel.
func (c *Claim) TunnelWrite(p []byte) error {
	if err := c.link.W.WriteHaul(c.id, false, p); err != nil {
		return err
	}
	return c.link.W.Flush()
}

// TunnelClose ends the tunnel's direction toward the bay, with an empty
// FIN: the bay drops any data in a FIN while tunnelling.
func (c *Claim) TunnelClose() error {
	if err := c.link.W.WriteHaul(c.id, true, nil); err != nil {
		return err
	}
	return c.link.W.Flush()
}

// Finish waits for the bay's Ready after a complete response and gives the
// link back to the pool; if the Ready does not come in step, the link is
// closed and replaced instead. The Claim must not be used after.
func (c *Claim) Finish() error {
	c.link.Conn.SetReadDeadline(time.Now().Add(readyTimeout))
	f, err := c.next(TypeReady)
	if err == nil {
		var r Ready
		if err = r.Decode(f.Payload); err == nil && r.RequestID != c.id {
			err = fmt.Errorf("docking: Ready for request %d on the link of request %d: %w", r.RequestID, c.id, ErrWrongRequest)
		}
	}
	c.link.Conn.SetReadDeadline(time.Time{})
	c.end(err == nil)
	return err
}

// Abandon closes the link, whatever state its request is in (a client
// gone, a timeout, a tunnel that ended, a protocol error); a replacement
// is opened. The Claim must not be used after.
func (c *Claim) Abandon() { c.end(false) }

// Interrupter returns a func that closes the link from another goroutine,
// to end a read or write blocked on it (a request timeout, a client that
// left); the Claim must then be abandoned. The func stays safe to call
// after the Claim ended: it closes this link, never a later claim's.
func (c *Claim) Interrupter() func() {
	l := c.link
	return func() { l.Close() }
}

func (c *Claim) end(reusable bool) {
	if c.ended {
		return
	}
	c.ended = true
	c.m.release(c.link, reusable)
	c.link, c.m = nil, nil
	claims.Put(c)
}

// next reads the next frame, which must be of type want.
func (c *Claim) next(want Type) (Frame, error) {
	f, err := c.link.R.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("docking: link closed before %s: %w", want, io.ErrUnexpectedEOF)
		}
		return f, err
	}
	return f, f.Expect(want)
}

// haulReader reads the data of a request's Hauls until the FIN.
type haulReader struct {
	c       *Claim
	pending []byte // data of the last Haul not yet read; aliases the link's buffer
	fin     bool
}

func (h *haulReader) Read(p []byte) (int, error) {
	for len(h.pending) == 0 {
		if h.fin {
			return 0, io.EOF
		}
		if h.c.idle > 0 {
			h.c.link.Conn.SetReadDeadline(time.Now().Add(h.c.idle))
		}
		f, err := h.c.next(TypeHaul)
		if err != nil {
			return 0, err
		}
		var hl Haul
		if err := hl.Decode(f.Payload); err != nil {
			return 0, err
		}
		if hl.RequestID != h.c.id {
			return 0, fmt.Errorf("docking: Haul for request %d on the link of request %d: %w", hl.RequestID, h.c.id, ErrWrongRequest)
		}
		h.pending, h.fin = hl.Data, hl.Fin
	}
	n := copy(p, h.pending)
	h.pending = h.pending[n:]
	return n, nil
}
