package ratelimit

import "time"

// Limiter names the limit that refused a request.
type Limiter int

// The limiters, as the metrics label them.
const (
	LimitGlobal Limiter = iota
	LimitPerIP
)

// String is the limiter's metric label.
func (l Limiter) String() string {
	if l == LimitGlobal {
		return "global"
	}
	return "per_ip"
}

// Observer counts the stage's work. Limited is called on the request path
// and must not allocate; the others from the background sync.
type Observer interface {
	// Limited counts a request refused with 429 by limiter l (locally or
	// by its shared window).
	Limited(l Limiter)
	// Synced counts one sync's round trip with the store, failed when err
	// is not nil.
	Synced(d time.Duration, err error)
	// Servers reports the live servers the store counted.
	Servers(n int)
}

// Observers is what a pipeline.Observer implements to count the stage's
// work too: Build calls RateLimit once.
type Observers interface {
	RateLimit() Observer
}

type nopObserver struct{}

func (nopObserver) Limited(Limiter)             {}
func (nopObserver) Synced(time.Duration, error) {}
func (nopObserver) Servers(int)                 {}
