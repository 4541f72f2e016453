// Package ring owns a bounded buffer that keeps the newest items: the log
// history of each process, which a chatty process must not grow without
// end.
package ring

// Ring keeps the last Cap items pushed, oldest first. The zero value is
// not usable; make one with New. It is not safe for concurrent use.
type Ring[T any] struct {
	buf   []T
	start int // index of the oldest item in buf
	n     int
}

// New returns an empty ring that keeps up to capacity items (at least one).
func New[T any](capacity int) *Ring[T] {
	return &Ring[T]{buf: make([]T, max(capacity, 1))}
}

// Push adds v as the newest item, dropping the oldest when the ring is full.
func (r *Ring[T]) Push(v T) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = v
		r.n++
		return
	}
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
}

// Len is the number of items kept.
func (r *Ring[T]) Len() int { return r.n }

// Cap is the most items the ring keeps.
func (r *Ring[T]) Cap() int { return len(r.buf) }

// At returns the i-th kept item, 0 being the oldest.
func (r *Ring[T]) At(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// Last returns a copy of the newest n items (all of them when n is larger
// or negative), oldest first.
func (r *Ring[T]) Last(n int) []T {
	if n < 0 || n > r.n {
		n = r.n
	}
	out := make([]T, n)
	for i := range out {
		out[i] = r.At(r.n - n + i)
	}
	return out
}
