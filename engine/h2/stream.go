package h2

import (
	"context"
	"errors"
	"net"
	"sync"

	"golang.org/x/net/http2"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/pipeline"
)

// errNoHijack is Hijack's answer: HTTP/2 has no upgrade to hand over.
var errNoHijack = errors.New("h2: a stream cannot be taken over")

// stream is one request and its answer. Its fields under "under mu" are
// the connection's lock's.
type stream struct {
	c      *conn
	id     uint32
	ctx    context.Context
	cancel context.CancelFunc
	x      pipeline.Exchange
	fp     ja4h.Fingerprinter
	rw     response
	body   body
	head   *http2.MetaHeadersFrame
	status int // a refusal decided from the head (431, 400), or 0

	// under mu
	sendWin    int64
	peerReset  bool
	remoteDone bool // END_STREAM received
	bodyCond   *sync.Cond
	aborted    bool
}

// onHeaders opens a stream, or ends one's body with its trailers.
func (c *conn) onHeaders(f *http2.MetaHeadersFrame) error {
	id := f.StreamID
	c.mu.Lock()
	if st := c.streams[id]; st != nil {
		defer c.mu.Unlock()
		if st.remoteDone || !f.StreamEnded() {
			return http2.ConnectionError(http2.ErrCodeProtocol)
		}
		st.received(nil, true) // trailers: the body is over
		return nil
	}
	if id%2 == 0 || id <= c.maxID {
		c.mu.Unlock()
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	c.maxID = id
	if c.goingAway {
		c.mu.Unlock()
		return nil // past GOAWAY: ignored (RFC 9113 §6.8)
	}
	if uint32(len(c.streams)) >= c.cfg.MaxConcurrentStreams {
		c.mu.Unlock()
		return c.write(func() error { return c.fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) })
	}
	st := c.newStream(f)
	c.streams[id] = st
	err := c.schedule(st)
	c.mu.Unlock()
	return err
}

// newStream makes the stream of a request head. Called under mu.
func (c *conn) newStream(f *http2.MetaHeadersFrame) *stream {
	st := &stream{c: c, id: f.StreamID, head: f, sendWin: c.peerWindow, remoteDone: f.StreamEnded()}
	st.ctx, st.cancel = context.WithCancel(c.cfg.Context)
	st.bodyCond = sync.NewCond(&c.mu)
	st.body.st = st
	st.body.window = int64(c.cfg.InitialWindow)
	st.body.declared = -1
	st.body.eof = st.remoteDone // no DATA follows END_STREAM on HEADERS
	st.rw.st = st
	return st
}

// schedule runs the stream's exchange, or queues it while
// MaxConcurrentStreams exchanges run; a queue past four times that is a
// rapid-reset flood (see the package doc). Called under mu.
func (c *conn) schedule(st *stream) error {
	max := int(c.cfg.MaxConcurrentStreams)
	if c.handlers < max {
		c.handlers++
		c.wg.Add(1)
		go c.run(st)
		return nil
	}
	if len(c.queue) > 4*max {
		return http2.ConnectionError(http2.ErrCodeEnhanceYourCalm)
	}
	c.queue = append(c.queue, st)
	return nil
}

// run serves one stream's exchange, then the queued ones.
func (c *conn) run(st *stream) {
	defer c.wg.Done()
	for st != nil {
		st.serve()
		c.mu.Lock()
		st = nil
		if len(c.queue) > 0 && !c.closed {
			st = c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
		} else {
			c.handlers--
		}
		c.mu.Unlock()
	}
	c.wakeIfIdle()
}

// serve runs the exchange and ends the stream: the answer's last frame,
// and RST_STREAM when the client is still sending a body nobody reads.
func (st *stream) serve() {
	c := st.c
	c.mu.Lock()
	skip := st.peerReset || c.closed
	c.mu.Unlock()
	if !skip {
		if st.begin() {
			c.cfg.Handler.Serve(&st.x)
		}
		st.rw.finish()
		st.x.End()
	}
	c.mu.Lock()
	open := c.streams[st.id] == st
	code := http2.ErrCodeNo
	if st.aborted {
		code = http2.ErrCodeInternal
	}
	reset := open && (!st.remoteDone || st.aborted)
	if open {
		c.forget(st)
	}
	c.mu.Unlock()
	st.cancel()
	if reset {
		c.write(func() error { return c.fr.WriteRSTStream(st.id, code) })
	}
}

// Context is the stream's: it ends when the client resets the stream,
// the connection closes or the drain is cut short.
func (st *stream) Context() context.Context { return st.ctx }

// ClientGone reports whether the client reset the stream or left.
func (st *stream) ClientGone() bool { return st.ctx.Err() != nil }

// Hijack fails: an HTTP/2 stream is never upgraded.
func (st *stream) Hijack() (net.Conn, error) { return nil, errNoHijack }

// Abort resets the stream once the exchange returns, so that a client
// sees an answer cut short as broken.
func (st *stream) Abort() {
	st.c.mu.Lock()
	st.aborted = true
	st.c.mu.Unlock()
}

// interface check: a stream is what an exchange's Conn needs.
var _ pipeline.Conn = (*stream)(nil)
