package acme

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mothership-go/mothership/pipeline"
)

// ChallengePath is where the CA asks for HTTP-01 answers (RFC 8555 8.3);
// a plain bind tests a request's path against it before its stages.
const ChallengePath = "/.well-known/acme-challenge/"

// IsChallenge reports whether a request's path is under ChallengePath:
// the cheap test the request path makes before ServeChallenge.
func IsChallenge(path string) bool { return strings.HasPrefix(path, ChallengePath) }

// ServeChallenge answers the CA's HTTP-01 request for any bind's domain,
// when this mothership or another sharing its storage asked for the
// challenge; it returns false, having written nothing, for any other
// request, which then goes through the bind's stages as usual.
func (mg *Manager) ServeChallenge(x *pipeline.Exchange) bool {
	if mg == nil || x.Method != http.MethodGet || !IsChallenge(x.Path) {
		return false
	}
	r := (&http.Request{
		Method:     x.Method,
		URL:        &url.URL{Path: x.Path, RawQuery: x.RawQuery},
		RequestURI: x.Target,
		Host:       x.Host,
		RemoteAddr: x.Peer.String(),
		Header:     http.Header{"User-Agent": {x.UserAgent}},
	}).WithContext(x.Context())
	w := &responseWriter{x: x, header: http.Header{}}
	for _, name := range mg.order {
		if mg.binds[name].issuer.HandleHTTPChallenge(w, r) {
			return true
		}
	}
	return false
}

// responseWriter is the http.ResponseWriter certmagic answers a challenge
// on, over the exchange's own writer.
type responseWriter struct {
	x      *pipeline.Exchange
	header http.Header
	sent   bool
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.sent {
		return
	}
	w.sent = true
	h := w.x.Response.Header()
	for name, values := range w.header {
		for _, v := range values {
			h.Add(name, v)
		}
	}
	w.x.Response.WriteHeader(status)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.x.Response.Write(p)
}
