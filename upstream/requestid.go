package upstream

import "math/rand/v2"

// RequestID is a request id as 16 lower-case hex characters: 64 random bits,
// unique enough to find one request in a day's logs.
type RequestID [16]byte

// NewRequestID returns a new request id. It draws from math/rand/v2's
// global source, which is per-thread in the runtime: no lock, no
// allocation, no syscall. Request ids need to be unlikely to collide, not
// unpredictable.
func NewRequestID() RequestID {
	const hexDigits = "0123456789abcdef"
	var id RequestID
	u := rand.Uint64()
	for i := len(id) - 1; i >= 0; i-- {
		id[i] = hexDigits[u&0xf]
		u >>= 4
	}
	return id
}
