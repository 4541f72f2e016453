package stages

import (
	"context"
	"io"
	"net/http"
	"net/netip"

	"github.com/mothership-go/mothership/routetree"
)

// Exchange is one request and its answer as the stages see them: the request
// head as parsed fields, the matched route, the client, a body to read and a
// writer to answer on. The engine fills it in and reuses it for the next
// request once the pipeline returns, so a stage must not keep it.
type Exchange struct {
	// Method is the request method.
	Method string
	// Path is the decoded request path. Stages may rewrite it; forward sends
	// what it holds when it runs.
	Path string
	// RawPath is the path as the client escaped it, when that differs from
	// the default escaping of Path (as in url.URL); usually empty.
	RawPath string
	// RawQuery is the query without its `?`.
	RawQuery string
	// Host is the Host header (or the authority of an absolute request
	// target), as sent, port included.
	Host string
	// Proto is the protocol version, such as "HTTP/1.1".
	Proto string
	// Header holds the request headers; forward sends them on, without the
	// hop-by-hop ones.
	Header http.Header
	// Scheme is the scheme the client used: "http" on every bind today.
	Scheme string
	// Bind is the name of the bind the request came in on.
	Bind string
	// Route is the matched route; nil only while a no-route answer is made.
	Route *routetree.Route
	// Peer is the address of the connection's other end: the source of the
	// PROXY header when there was one, else the TCP peer. It is invalid on a
	// Unix-socket bind without a PROXY header.
	Peer netip.AddrPort
	// PeerTrusted is set when Peer is one of the trusted proxies, whose
	// X-Forwarded-* headers are believed.
	PeerTrusted bool
	// Client is the client's address: Peer, or when Peer is a trusted proxy,
	// the nearest address in X-Forwarded-For that is not. Invalid when unknown.
	Client netip.Addr
	// Body is the request body; it reads EOF at once when there is none.
	Body io.ReadCloser
	// Response is where the answer goes.
	Response ResponseWriter

	ctx context.Context
	// peerIP is Peer's address as text, formatted once per connection so
	// that X-Forwarded-For costs nothing per request.
	peerIP string
	// out holds the values forward adds to the upstream request.
	out *outgoing
	std stdRequest
}

// Context is the request's context: it ends when the client goes away or
// the server shuts down hard.
func (x *Exchange) Context() context.Context { return x.ctx }

// ResponseWriter is how a stage answers: set headers, write the status, then
// the body. It has the method set of http.ResponseWriter so that either
// engine can provide it.
type ResponseWriter interface {
	// Header is the response header map, to edit before WriteHeader.
	Header() http.Header
	// WriteHeader sends the response head with the status code.
	WriteHeader(status int)
	// Write sends body bytes, and a 200 head first if none was sent.
	Write(p []byte) (int, error)
}
