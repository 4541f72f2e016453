// Package fieldpolicy is the one header policy of every target a request
// goes on to: TCP ships, pools and HTTP upstreams (upstream/), HTTP bays'
// CGI params and WebSocket bays' Boarding (upstream/bays). It decides which
// of the client's fields pass and writes the fields we own, so that a rule
// is changed in one place for every kind of target.
//
// # Choices
//
//   - Hop-by-hop fields, those the client's Connection names, Proxy (the
//     "httpoxy" class: it becomes HTTP_PROXY in a CGI environment) and the
//     framing ones (Host, Content-Length, Expect) never pass.
//   - Names are compared with '-' and '_' as one, as CGI maps both to '_':
//     X_Forwarded_For is the twin of X-Forwarded-For and is dropped with it.
//   - Names with '_' are dropped unless underscores_in_headers is set, as
//     nginx does; with it set, a bay still never gets two params for one
//     CGI name (SameCGIName).
//   - The fields we own (X-Forwarded-For, -Proto, -Host, X-Request-Id,
//     X-JA4H, X-Request-Start, and Connection/Upgrade on an upgrade) are
//     dropped from the client's and written after, by Owned: no client
//     field, nor a Connection naming one, can remove or double them. A
//     route's add_headers replace both the client's and ours.
//   - Forwarded and X-Real-Ip pass only from a trusted proxy.
//   - X-Request-Id from a trusted proxy is kept when it is at most 128
//     bytes of [A-Za-z0-9._:-]; any other is replaced by a new one.
package fieldpolicy

import (
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// Policy is the header policy of one route.
type Policy struct {
	// Underscores keeps client fields whose name holds '_'
	// (underscores_in_headers).
	Underscores bool
	// Add are the route's add_headers: they replace the client's fields
	// and ours of the same name, and are written by the caller.
	Add []pipeline.Field
}

// owned are the fields Owned writes, in lower case.
var owned = [...]string{"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id", "x-ja4h", "x-request-start"}

// never are the client fields that never pass: framing, fields the engine
// answered, and Proxy.
var never = [...]string{"host", "content-length", "expect", "proxy"}

// Passes reports whether the client's field named name goes on.
func (p *Policy) Passes(x *pipeline.Exchange, name string) bool {
	if !p.Underscores && strings.IndexByte(name, '_') >= 0 {
		return false
	}
	if httpsyntax.IsHopByHop(name) {
		return false
	}
	for _, n := range never {
		if cgiFold(name, n) {
			return false
		}
	}
	for _, n := range owned {
		if cgiFold(name, n) {
			return false
		}
	}
	if !x.PeerTrusted && (cgiFold(name, "forwarded") || cgiFold(name, "x-real-ip")) {
		return false
	}
	if p.added(name) {
		return false
	}
	return !ConnectionNamed(&x.Header, name)
}

// added reports whether the route's add_headers set name.
func (p *Policy) added(name string) bool {
	for _, a := range p.Add {
		if SameCGIName(a.Name, name) {
			return true
		}
	}
	return false
}

// ConnectionNamed reports whether a Connection field of h names name: a
// field the sender meant for this hop only (RFC 9110 §7.6.1), which no
// proxy passes on, in a request or a response.
func ConnectionNamed(h *pipeline.Header, name string) bool {
	for i := h.Index("Connection", 0); i >= 0; i = h.Index("Connection", i+1) {
		if httpsyntax.HasTokenFold(h.Value(i), name) {
			return true
		}
	}
	return false
}

// Owned calls emit with each field we own, in this order: X-Forwarded-For
// (when there is an address to name), X-Forwarded-Proto, X-Forwarded-Host,
// X-Request-Id, X-JA4H (when the exchange has a fingerprint),
// X-Request-Start, then Connection and Upgrade on an upgrade; a field the
// route's add_headers set is left to the caller. Values are built in
// scratch, which is returned for reuse; a value is valid only during its
// emit.
func (p *Policy) Owned(x *pipeline.Exchange, scratch []byte, emit func(name string, value []byte)) []byte {
	b := scratch[:0]
	if x.PeerIP != "" || x.PeerTrusted && x.Header.Has("X-Forwarded-For") {
		b = AppendForwardedFor(b[:0], x)
		p.emit(emit, "X-Forwarded-For", b)
	}
	proto, host := ForwardedProtoHost(x)
	b = append(b[:0], proto...)
	p.emit(emit, "X-Forwarded-Proto", b)
	b = append(b[:0], host...)
	p.emit(emit, "X-Forwarded-Host", b)
	b = AppendRequestID(b[:0], x)
	p.emit(emit, "X-Request-Id", b)
	if fp := x.JA4H(); len(fp) > 0 {
		p.emit(emit, "X-JA4H", fp)
	}
	b = append(b[:0], "t="...)
	b = strconv.AppendInt(b, x.Started().UnixMicro(), 10)
	p.emit(emit, "X-Request-Start", b)
	if x.Upgrade != "" {
		emit("Connection", append(b[:0], "Upgrade"...))
		emit("Upgrade", append(b[:0], x.Upgrade...))
	}
	return b
}

func (p *Policy) emit(emit func(string, []byte), name string, value []byte) {
	if !p.added(name) {
		emit(name, value)
	}
}

// cgiFold reports whether name equals lower, which is in lower case, with
// ASCII case ignored and '_' taken as '-'.
func cgiFold(name, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if fold(name[i]) != lower[i] {
			return false
		}
	}
	return true
}

// SameCGIName reports whether a and b become one CGI param: equal with
// ASCII case ignored and '-' and '_' taken as one.
func SameCGIName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if fold(a[i]) != fold(b[i]) {
			return false
		}
	}
	return true
}

func fold(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	case c == '_':
		return '-'
	}
	return c
}
