package proxy

import (
	"net"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// redirect answers every request of a plain bind with `redirect_https`:
// 308 Permanent Redirect (the method and body kept, unlike 301) to the
// same host, path and query over HTTPS, on the TLS bind's port.
type redirect struct {
	// port is ":8443", or "" when the TLS bind listens on 443 or a Unix
	// socket (then whatever is in front of it takes 443).
	port string
}

// answerNoHost is the answer to a request without a Host to send it to.
var answerNoHost = pipeline.NewAnswer(400, "400 bad request: this address only redirects to HTTPS, which needs the request's Host")

// newRedirect is the redirect of bind b, nil when it has none.
func newRedirect(m *manifest.Manifest, b *manifest.Bind) *redirect {
	if b.RedirectHTTPS == "" {
		return nil
	}
	for _, t := range m.Mothership.Binds {
		if t.Name == b.RedirectHTTPS {
			if p := t.Addr.Port(); t.Addr.Network == "tcp" && p != 443 && p > 0 {
				return &redirect{port: ":" + strconv.Itoa(p)}
			}
		}
	}
	return &redirect{}
}

// serve sends x to HTTPS. Building the Location costs the one allocation
// of a redirected request; the plain bind of a site that redirects serves
// nothing else.
func (r *redirect) serve(x *pipeline.Exchange) {
	host := x.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	if host == "" {
		answerNoHost.Write(x.Response)
		return
	}
	target := x.Target
	if !strings.HasPrefix(target, "/") {
		target = "/" // OPTIONS *
	}
	h := x.Response.Header()
	h.Set("Location", "https://"+host+r.port+target)
	h.Set("Content-Length", "0")
	x.Response.WriteHeader(308)
}
