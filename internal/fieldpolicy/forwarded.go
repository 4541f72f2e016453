package fieldpolicy

import "github.com/mothership-go/mothership/pipeline"

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

// AppendRequestID appends the X-Request-Id that goes on: the exchange's
// RequestID, the one the access log records.
func AppendRequestID(b []byte, x *pipeline.Exchange) []byte {
	return append(b, x.RequestID()...)
}
