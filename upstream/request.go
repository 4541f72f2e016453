package upstream

import (
	"strconv"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// send writes the request head, and the body, on c.
func (f *forward) send(x *pipeline.Exchange, c *Conn, body *requestBody) error {
	b := f.appendHead(c.wbuf[:0], x, body)
	if body.complete && len(b)+body.n <= cap(b) {
		b = append(b, body.bytes()...)
		c.wbuf = b
		return c.write(b)
	}
	c.wbuf = b
	if err := c.write(b); err != nil {
		return err
	}
	return body.send(c)
}

// appendHead writes the request head as the package doc says.
func (f *forward) appendHead(b []byte, x *pipeline.Exchange, body *requestBody) []byte {
	b = append(b, x.Method...)
	b = append(b, ' ')
	if f.edit.None() || x.RawPath == "" {
		b = append(b, x.Target...)
	} else {
		b = f.edit.AppendPath(b, x.RawPath)
		if x.RawQuery != "" {
			b = append(b, '?')
			b = append(b, x.RawQuery...)
		}
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, x.Host...)
	b = append(b, "\r\n"...)
	b = f.appendFields(b, x)
	b = appendForwarded(b, x)
	if fp := x.JA4H(); len(fp) > 0 { // none in a build without JA4H
		b = append(b, "X-JA4H: "...)
		b = append(b, fp...)
		b = append(b, "\r\n"...)
	}
	for _, a := range f.add {
		b = appendField(b, a.Name, a.Value)
	}
	if x.Upgrade != "" {
		b = appendField(b, "Connection", "Upgrade")
		b = appendField(b, "Upgrade", x.Upgrade)
	}
	switch {
	case body.complete && (body.n > 0 || x.Header.Has("Content-Length")):
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(body.n), 10)
		b = append(b, "\r\n"...)
	case !body.complete && x.ContentLength > 0:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, x.ContentLength, 10)
		b = append(b, "\r\n"...)
	case !body.complete:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendFields appends the client's fields that go on.
func (f *forward) appendFields(b []byte, x *pipeline.Exchange) []byte {
	h := &x.Header
	hasConn := h.Has("Connection")
	hasID := false
	for _, fl := range h.Fields() {
		if f.dropped(fl.Name, x.PeerTrusted) || hasConn && ConnectionNamed(h, fl.Name) {
			continue
		}
		if httpsyntax.EqualFold(fl.Name, "x-request-id") {
			if fl.Value == "" {
				continue
			}
			hasID = true
		}
		b = appendField(b, fl.Name, fl.Value)
	}
	if !hasID {
		id := NewRequestID()
		b = append(b, "X-Request-Id: "...)
		b = append(b, id[:]...)
		b = append(b, "\r\n"...)
	}
	return b
}

// dropped reports whether a client field is not passed on as it is: the
// hop-by-hop ones, those this package writes itself, those a route's
// add_headers replace, and Forwarded and X-Real-Ip from an untrusted peer.
func (f *forward) dropped(name string, trusted bool) bool {
	if httpsyntax.IsHopByHop(name) {
		return true
	}
	switch len(name) {
	case len("Host"):
		if httpsyntax.EqualFold(name, "host") {
			return true
		}
	case len("Expect"): // and X-JA4H, ours alone
		if httpsyntax.EqualFold(name, "expect") || httpsyntax.EqualFold(name, "x-ja4h") {
			return true // the body is read first: the engine answered 100
		}
	case len("Forwarded"): // and X-Real-Ip
		if !trusted && (httpsyntax.EqualFold(name, "forwarded") || httpsyntax.EqualFold(name, "x-real-ip")) {
			return true
		}
	case len("Content-Length"):
		if httpsyntax.EqualFold(name, "content-length") {
			return true
		}
	case len("X-Forwarded-For"), len("X-Forwarded-Host"):
		if httpsyntax.EqualFold(name, "x-forwarded-for") || httpsyntax.EqualFold(name, "x-forwarded-host") {
			return true
		}
	case len("X-Forwarded-Proto"):
		if httpsyntax.EqualFold(name, "x-forwarded-proto") {
			return true
		}
	}
	for _, a := range f.add {
		if httpsyntax.EqualFoldBoth(a.Name, name) {
			return true
		}
	}
	return false
}

// appendForwarded appends X-Forwarded-For, -Proto and -Host: a trusted
// peer's extended or kept, anyone else's replaced by what we saw.
func appendForwarded(b []byte, x *pipeline.Exchange) []byte {
	if x.PeerIP != "" || x.PeerTrusted && x.Header.Has("X-Forwarded-For") {
		b = append(b, "X-Forwarded-For: "...)
		b = AppendForwardedFor(b, x)
		b = append(b, "\r\n"...)
	}
	proto, host := ForwardedProtoHost(x)
	b = appendField(b, "X-Forwarded-Proto", proto)
	return appendField(b, "X-Forwarded-Host", host)
}

// AppendForwardedFor appends the X-Forwarded-For value that goes on: a
// trusted peer's list with the peer added, anyone else's replaced by the
// peer. It appends nothing for an untrusted peer without an address (a
// Unix socket), whose claim must not pass either.
func AppendForwardedFor(b []byte, x *pipeline.Exchange) []byte {
	h := &x.Header
	n := 0
	if x.PeerTrusted {
		for i := h.Index("X-Forwarded-For", 0); i >= 0; i = h.Index("X-Forwarded-For", i+1) {
			if n > 0 {
				b = append(b, ", "...)
			}
			b = append(b, h.Value(i)...)
			n++
		}
	}
	if x.PeerIP != "" {
		if n > 0 {
			b = append(b, ", "...)
		}
		b = append(b, x.PeerIP...)
	}
	return b
}

// ForwardedProtoHost returns the X-Forwarded-Proto and -Host values that go
// on: a trusted peer's when it sent them, else the scheme and Host the
// client used.
func ForwardedProtoHost(x *pipeline.Exchange) (proto, host string) {
	proto, host = x.Scheme, x.Host
	if x.PeerTrusted {
		if v := x.Header.Get("X-Forwarded-Proto"); v != "" {
			proto = v
		}
		if v := x.Header.Get("X-Forwarded-Host"); v != "" {
			host = v
		}
	}
	return proto, host
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}
