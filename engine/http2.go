package engine

import (
	"crypto/tls"
	"net/netip"
	"strings"
	"time"

	"github.com/mothership-go/mothership/engine/h2"
	"github.com/mothership-go/mothership/pipeline"
)

// alpnH2 is HTTP/2's ALPN name.
const alpnH2 = "h2"

// handshake runs a TLS connection's handshake under the header timeout
// and reports whether the client chose HTTP/2; ok is false when the
// handshake failed, or was the CA's TLS-ALPN-01 validation, after which
// nothing is served. A plain connection has none.
func (c *conn) handshake() (isH2, ok bool) {
	tc, isTLS := c.nc.(*tls.Conn)
	if !isTLS {
		return false, true
	}
	c.rdl.Read(c.nc, time.Now(), c.srv.limits.ReadHeaderTimeout)
	if err := tc.HandshakeContext(c.ctx); err != nil {
		return false, false
	}
	c.peerOf()
	proto := tc.ConnectionState().NegotiatedProtocol
	return proto == alpnH2, proto != ALPNACME
}

// prefacePending reports, on an h2c bind's first bytes, whether they are
// (so far) the HTTP/2 preface: the engine then waits for all of it rather
// than parse it as a head.
func (c *conn) prefacePending() bool {
	if !c.srv.H2C || c.requestsSoFar > 0 || c.r != 0 {
		return false
	}
	got := c.rbuf[:c.w]
	if len(got) > len(h2.Preface) {
		got = got[:len(h2.Preface)]
	}
	return strings.HasPrefix(h2.Preface, string(got))
}

// serveH2 hands the connection to the HTTP/2 server, with prefix the
// bytes read already; it returns when the connection is done.
func (c *conn) serveH2(prefix []byte) {
	if !c.srv.admitClient(c) {
		return // over the per-client cap: closed, as HTTP/2 has no 503 before a stream
	}
	s := c.srv
	l := &s.limits
	trusted := s.Trusted
	peer, peerTrusted := c.peer.Addr(), c.peerTrusted
	h2.Serve(c.nc, prefix, h2.Config{
		Handler: s.Handler, Bind: s.Bind, Scheme: c.scheme,
		Peer: c.peer, PeerIP: c.peerIP, PeerTrusted: c.peerTrusted,
		Client: func(h *pipeline.Header) netip.Addr { return trusted.Client(peer, peerTrusted, h) },
		// HPACK counts 32 bytes a field beyond its name and value.
		MaxHeaderListSize: uint32(l.Head.MaxHeaderBytes + 32*l.Head.MaxFields),
		PrefaceTimeout:    l.ReadHeaderTimeout, IdleTimeout: l.IdleTimeout,
		BodyTimeout: l.BodyTimeout, SendTimeout: l.SendTimeout,
		Drain: s.stop, Context: s.hard, ErrorLog: s.ErrorLog,
	})
}
