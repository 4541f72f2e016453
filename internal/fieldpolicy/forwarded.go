package fieldpolicy

import (
	"math/rand/v2"

	"github.com/mothership-go/mothership/pipeline"
)

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

// MaxRequestID is the longest X-Request-Id kept from a trusted proxy.
const MaxRequestID = 128

// AppendRequestID appends the X-Request-Id that goes on: a trusted proxy's
// when it sent exactly one that ValidRequestID accepts, else a new one. An
// untrusted client's is its own claim, which would let it pick the id our
// logs and the app file its request under.
func AppendRequestID(b []byte, x *pipeline.Exchange) []byte {
	if x.PeerTrusted && x.Header.Count("X-Request-Id") == 1 {
		if v := x.Header.Get("X-Request-Id"); ValidRequestID(v) {
			return append(b, v...)
		}
	}
	return appendNewRequestID(b)
}

// ValidRequestID reports whether id is 1 to MaxRequestID bytes of
// [A-Za-z0-9._:-]: what a UUID, a ULID or another proxy's id looks like,
// and nothing a log line or a shell could misread.
func ValidRequestID(id string) bool {
	if id == "" || len(id) > MaxRequestID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '_' || c == ':' || c == '-':
		default:
			return false
		}
	}
	return true
}

// appendNewRequestID appends a new request id: 16 lower-case hex
// characters, 64 random bits, unique enough to find one request in a day's
// logs. It draws from math/rand/v2's global source, which is per-thread in
// the runtime: no lock, no allocation, no syscall. Request ids need to be
// unlikely to collide, not unpredictable.
func appendNewRequestID(b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	u := rand.Uint64()
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(u>>uint(shift))&0xf])
	}
	return b
}
