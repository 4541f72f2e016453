package pipeline

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/routetree"
)

// Exchange is one request and its answer as the stages see them: the
// request head as parsed fields, the matched route, the client, a body to
// read and a writer to answer on. The engine fills it in and reuses it for
// the next request once the pipeline returns, so a stage must not keep it,
// nor any string of it (see the package doc).
type Exchange struct {
	// Method is the request method, as sent (methods are case-sensitive).
	Method string
	// Target is the request target as sent, in origin form (`/path?query`)
	// or `*`; an absolute-form target is cut to its path and query, its
	// authority becoming Host.
	Target string
	// Path is the percent-decoded path, for matching and for files. Stages
	// may rewrite it; a rewrite is sent upstream escaped.
	Path string
	// RawPath is the path as the client escaped it (Target without the
	// query). Forward sends it as it is unless a stage or the route edits
	// the path.
	RawPath string
	// RawQuery is the query without its `?`.
	RawQuery string
	// Host is the Host header (or the authority of an absolute-form
	// target), as sent, port included.
	Host string
	// Proto is the protocol version: "HTTP/1.1", "HTTP/1.0" or, for a
	// stream of an HTTP/2 connection, "HTTP/2.0".
	Proto string
	// ProtoMinor is 1 for HTTP/1.1, 0 for HTTP/1.0 and HTTP/2.0.
	ProtoMinor int
	// Header holds the request's fields in wire order and case. Forward
	// sends them on, without the hop-by-hop ones and those it owns.
	Header Header
	// UserAgent is the first User-Agent field, or "".
	UserAgent string
	// Upgrade is the Upgrade field of a request that asks for one (its
	// Connection names upgrade), such as "websocket"; "" otherwise.
	Upgrade string
	// ContentLength is the body's declared length; -1 for a chunked body
	// whose length is unknown until its end; 0 when there is none.
	ContentLength int64
	// Scheme is the scheme the client used: "http" on plain binds.
	Scheme string
	// Bind is the name of the bind the request came in on.
	Bind string
	// Route is the matched route; nil while a no-route answer is made.
	Route *routetree.Route
	// Start is when the engine had the request's head: the one clock read
	// of a request that the stages share instead of reading their own (the
	// access log's duration, X-Request-Start). Zero for an exchange built
	// without an engine: read it through Started.
	Start time.Time
	// Peer is the address of the connection's other end: the source of the
	// PROXY header when there was one, else the TCP peer. It is invalid on a
	// Unix-socket bind without a PROXY header.
	Peer netip.AddrPort
	// PeerIP is Peer's address as text, formatted once per connection so
	// that X-Forwarded-For costs nothing per request; "" when invalid.
	PeerIP string
	// PeerTrusted is set when Peer is one of the trusted proxies, whose
	// X-Forwarded-* headers are believed.
	PeerTrusted bool
	// Client is the client's address: Peer, or when Peer is a trusted proxy,
	// the nearest address in X-Forwarded-For that is not. Invalid when unknown.
	Client netip.Addr
	// Body is the request body, framed by the engine; it reads io.EOF at
	// once when there is none, and ErrBadBody when the client's framing is
	// malformed (the engine then closes the connection).
	Body io.Reader
	// Response is where the answer goes.
	Response ResponseWriter
	// Conn is the engine's side of the connection.
	Conn Conn

	fp     *ja4h.Fingerprinter
	fpDone bool
	fpOut  []byte

	idBuf [MaxRequestID]byte
	id    []byte // RequestID's, nil until asked

	releasers [maxReleasers]Releaser
	nrel      int
}

// Started is Start, or the clock now when the exchange has none.
func (x *Exchange) Started() time.Time {
	if x.Start.IsZero() {
		return time.Now()
	}
	return x.Start
}

// ProtoHTTP2 is the Proto of an HTTP/2 stream's exchange.
const ProtoHTTP2 = "HTTP/2.0"

// ErrBadBody is what Body returns for a body whose framing is malformed
// (a bad chunk size, chunk data longer than announced, a body cut short):
// the client's fault, answered 400 when no answer has begun.
var ErrBadBody = errors.New("malformed request body")

// ErrBodyTooLarge is what Body returns once a body whose length was not
// declared passes the route's max_body_size (stages/limits): answered 413
// when no answer has begun.
var ErrBodyTooLarge = errors.New("request body too large")

// Conn is what an engine offers an exchange beyond the request and the
// writer.
type Conn interface {
	// Context ends when the connection closes or the server is shut down
	// hard. It is the connection's, not the request's: it costs nothing per
	// request.
	Context() context.Context
	// ClientGone reports, without blocking, whether the client has closed
	// its side or broken the connection; a stage waiting long on an
	// upstream asks it now and then.
	ClientGone() bool
	// Hijack hands the connection over after the response head went out
	// (a 101): what the engine has buffered is flushed, bytes it read past
	// the request are returned first by the conn's Read, and the engine
	// forgets the connection but for closing it on shutdown. The caller
	// closes it.
	Hijack() (net.Conn, error)
	// Abort makes the engine close the connection once the exchange
	// returns, without completing the response: a client must see a
	// response cut short as broken, not as a short one that looks whole.
	Abort()
}

// Context is the connection's context (see Conn); a Background context
// for an exchange built without an engine.
func (x *Exchange) Context() context.Context {
	if x.Conn == nil {
		return context.Background()
	}
	return x.Conn.Context()
}

// SetFingerprinter gives the exchange the engine's per-connection JA4H
// scratch space and forgets the last request's fingerprint; the engine
// calls it for every request.
func (x *Exchange) SetFingerprinter(f *ja4h.Fingerprinter) {
	x.fp, x.fpDone, x.fpOut = f, false, nil
}

// JA4H is the request's JA4H fingerprint (ja4h/), computed once from the
// method, the version and the header list in wire order. It is valid
// until the exchange ends; nil only for an exchange without a
// fingerprinter.
func (x *Exchange) JA4H() []byte {
	if !x.fpDone && x.fp != nil {
		x.fpDone = true
		major := byte(1)
		if x.Proto == ProtoHTTP2 {
			major = 2
		}
		x.fpOut = x.fp.Fingerprint(x.Method, major, byte(x.ProtoMinor), &x.Header)
	}
	return x.fpOut
}
