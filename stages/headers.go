package stages

import (
	"net/http"
	"strings"
	"unsafe"
)

// The headers forward sets, in canonical form so that map access needs no
// canonicalization.
const (
	hdrForwardedFor   = "X-Forwarded-For"
	hdrForwardedProto = "X-Forwarded-Proto"
	hdrForwardedHost  = "X-Forwarded-Host"
	hdrForwarded      = "Forwarded"
	hdrRealIP         = "X-Real-Ip"
	hdrRequestID      = "X-Request-Id"
)

// outgoing holds the values forward adds to one upstream request: one
// allocation for all of them. It is never pooled: the Transport may still be
// writing the request head after the response has been copied back and the
// exchange has moved on, so these values must live as long as the request.
type outgoing struct {
	forwardedFor  [1]string
	forwardedHost [1]string
	requestID     [1]string
	id            requestID
}

var protoHTTP = []string{"http"}

// protoValue boxes the scheme for X-Forwarded-Proto; the common one is
// shared, not allocated.
func protoValue(scheme string) []string {
	if scheme == "http" {
		return protoHTTP[:1:1]
	}
	return []string{scheme}
}

// setForwarded sets X-Forwarded-For, -Proto and -Host on the upstream
// request out, from the inbound headers in. A trusted peer's values are
// kept, and its X-Forwarded-For is appended to; from anyone else they are
// replaced, and the other forwarding claims (Forwarded, X-Real-Ip) dropped,
// so that a client cannot pose as someone else to the ship.
func setForwarded(out, in http.Header, x *Exchange, o *outgoing) {
	trusted := x.PeerTrusted
	switch prior := in[hdrForwardedFor]; {
	case x.peerIP == "":
		// A Unix-socket peer has no address to add; an untrusted claim
		// still must not pass.
		delete(out, hdrForwardedFor)
	case trusted && len(prior) > 0:
		o.forwardedFor[0] = appendForwardedFor(prior, x.peerIP)
		out[hdrForwardedFor] = o.forwardedFor[:]
	default:
		o.forwardedFor[0] = x.peerIP
		out[hdrForwardedFor] = o.forwardedFor[:]
	}
	if v := in[hdrForwardedProto]; trusted && len(v) > 0 {
		out[hdrForwardedProto] = v
	} else {
		out[hdrForwardedProto] = protoValue(x.Scheme)
	}
	if v := in[hdrForwardedHost]; trusted && len(v) > 0 {
		out[hdrForwardedHost] = v
	} else {
		o.forwardedHost[0] = x.Host
		out[hdrForwardedHost] = o.forwardedHost[:]
	}
	if !trusted {
		delete(out, hdrForwarded)
		delete(out, hdrRealIP)
	}
}

// appendForwardedFor folds the prior X-Forwarded-For lines into one and
// appends ip: the one allocation a trusted hop costs.
func appendForwardedFor(prior []string, ip string) string {
	if len(prior) == 1 {
		return prior[0] + ", " + ip
	}
	return strings.Join(prior, ", ") + ", " + ip
}

// setRequestID keeps the client's X-Request-Id (the upstream request already
// carries it) or sets a new one.
func setRequestID(out, in http.Header, o *outgoing) {
	if v := in[hdrRequestID]; len(v) > 0 && v[0] != "" {
		return
	}
	o.id = newRequestID()
	// o.id is never written again, so the string may share its bytes.
	o.requestID[0] = unsafe.String(&o.id[0], len(o.id))
	out[hdrRequestID] = o.requestID[:]
}

// pathEdit is a route's strip_prefix and rewrite.
type pathEdit struct {
	strip    string
	from, to string
}

// apply strips the prefix, then rewrites what is left; the result always
// starts with "/". Both cut on the bytes of the prefix, which the route
// matched, so a stripped path is a substring: no allocation but for a
// rewrite.
func (e pathEdit) apply(p string) string {
	if e.strip != "" {
		if rest, ok := strings.CutPrefix(p, e.strip); ok {
			p = rest
			if p == "" {
				return "/"
			}
			if p[0] != '/' {
				p = "/" + p
			}
		}
	}
	if e.from != "" {
		if rest, ok := strings.CutPrefix(p, e.from); ok {
			p = e.to + rest
		}
	}
	return p
}

// paths edits the decoded path and, when the client's escaping differs
// from the default, the escaped one the same way. net/url sends RawPath only
// when it is a valid escaping of Path, so one the prefix did not fit is
// dropped there and Path is escaped instead.
func (e pathEdit) paths(path, raw string) (string, string) {
	if e.strip == "" && e.from == "" {
		return path, raw
	}
	if raw != "" {
		raw = e.apply(raw)
	}
	return e.apply(path), raw
}
