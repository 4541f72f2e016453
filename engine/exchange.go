package engine

import (
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/pipeline"
)

// The protocol names an Exchange carries.
const (
	proto10 = "HTTP/1.0"
	proto11 = "HTTP/1.1"
)

// begin fills the exchange from the parsed head. It returns false when the
// head is refused after all (a path that does not decode, CONNECT).
func (c *conn) begin() bool {
	req := &c.req
	if req.Method == "CONNECT" {
		c.refuse(&h1.Error{Status: 405, Reason: "CONNECT is not served: this is not a forward proxy"})
		return false
	}
	x := &c.x
	// The parser's list becomes the exchange's; the exchange's old array
	// is the parser's next one, so neither allocates once grown.
	x.Header, req.Header = req.Header, x.Header
	x.Method, x.Target = req.Method, req.Target
	if err := x.SplitTarget(); err != nil {
		c.refuse(&h1.Error{Status: 400, Reason: err.Error()})
		return false
	}
	x.Host = req.Host
	x.Proto, x.ProtoMinor = proto11, 1
	if req.Minor == 0 {
		x.Proto, x.ProtoMinor = proto10, 0
	}
	x.UserAgent, x.Upgrade = req.UserAgent, req.Upgrade
	x.ContentLength = req.ContentLength
	if req.Chunked {
		x.ContentLength = -1
	}
	x.Scheme = c.scheme
	x.Bind = c.srv.Bind
	x.Route = nil
	x.Start = time.Now()
	x.Peer, x.PeerIP, x.PeerTrusted = c.peer, c.peerIP, c.peerTrusted
	x.Client = c.srv.Trusted.Client(c.peer.Addr(), c.peerTrusted, &x.Header)
	c.body.reset(req)
	x.Body = &c.body
	c.rw.reset(req)
	x.Response = &c.rw
	x.Conn = c
	x.SetFingerprinter(&c.fp)
	c.aborted = false
	c.state.Store(stateActive)
	return true
}

// finish completes the exchange's answer and readies the connection for
// the next request; false when it is to close.
func (c *conn) finish() bool {
	keep := c.rw.finish() && !c.aborted
	c.x.End()
	if keep {
		keep = c.body.drain()
	}
	if !keep || c.pos == c.w {
		// Nothing pipelined is waiting: the answer goes out now.
		if err := c.rw.flush(); err != nil {
			return false
		}
	}
	c.x.Header.Reset()
	c.x.Body, c.x.Response = nil, nil
	// A drain that began after this answer's head went out (without
	// Connection: close) leaves the connection open for the grace: the
	// client may have sent its next request already (waitIdle).
	return keep
}

// interface checks: the connection is what an exchange's Conn needs.
var _ pipeline.Conn = (*conn)(nil)
