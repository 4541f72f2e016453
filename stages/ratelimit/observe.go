package ratelimit

import "time"

// Limiter names the limit that refused a request.
type Limiter int

// The limiters, as the metrics label them; a shield rule's rate counts
// through the Counter that Observer.Rule gives it.
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

// Observer counts the stage's work. Limited and the Counters are called on
// the request path and must not allocate; Synced and Servers from the
// background sync, Rule and Shared once as a server's stages are built.
type Observer interface {
	// Limited counts a request refused with 429 by limiter l (locally or
	// by its shared window).
	Limited(l Limiter)
	// Rule is the count of the requests the shield rule called name
	// answered for being over its rate.
	Rule(name string) Counter
	// Shared reports that the limits are shared through the store at url
	// (without its password).
	Shared(url string)
	// Synced counts one sync's round trip with the store, failed when err
	// is not nil.
	Synced(d time.Duration, err error)
	// Servers reports the live servers the store counted.
	Servers(n int)
}

// Counter counts one thing.
type Counter interface{ Inc() }

// Observers is what a pipeline.Observer implements to count the stage's
// work too: the limiter, each rated rule and the sharing of a server ask
// RateLimit as they are built, and every call counts into the same
// series.
type Observers interface {
	RateLimit() Observer
}

type nopObserver struct{}

func (nopObserver) Limited(Limiter)             {}
func (nopObserver) Rule(string) Counter         { return nopCounter{} }
func (nopObserver) Shared(string)               {}
func (nopObserver) Synced(time.Duration, error) {}
func (nopObserver) Servers(int)                 {}

type nopCounter struct{}

func (nopCounter) Inc() {}
