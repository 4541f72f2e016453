package pipeline

import "math/rand/v2"

// MaxRequestID is the longest X-Request-Id kept from a trusted proxy.
const MaxRequestID = 128

// RequestID is the request's id: what the upstream gets as X-Request-Id
// and the access log records, the same bytes in both, so that a line of
// one finds the request in the other. It is a trusted proxy's id when it
// sent exactly one that ValidRequestID accepts, else a new one. An
// untrusted client's is its own claim, which would let it pick the id our
// logs and the app file its request under. It is computed once per
// request and valid until the exchange ends.
func (x *Exchange) RequestID() []byte {
	if x.id != nil {
		return x.id
	}
	if x.PeerTrusted && x.Header.Count("X-Request-Id") == 1 {
		if v := x.Header.Get("X-Request-Id"); ValidRequestID(v) {
			x.id = append(x.idBuf[:0], v...)
			return x.id
		}
	}
	x.id = appendNewRequestID(x.idBuf[:0])
	return x.id
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
// logs of a whole deployment. It draws from math/rand/v2's global source,
// which is per-thread in the runtime: no lock, no allocation, no syscall,
// and unlike a process-wide counter no cache line that every core's
// requests contend for. Request ids need to be unlikely to collide, not
// unpredictable.
func appendNewRequestID(b []byte) []byte {
	const hexDigits = "0123456789abcdef"
	u := rand.Uint64()
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(u>>uint(shift))&0xf])
	}
	return b
}
