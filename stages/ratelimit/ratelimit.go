// Package ratelimit is the rate-limit stage: `[mothership.rate_limiting] global_rps` and
// `per_ip_rpm`, and the counts of the shield rules that have a `rate`
// (Rate, which the shields stage asks for). Every limit is a token bucket
// kept as GCRA (the generic cell rate algorithm): a bucket is one number,
// the theoretical arrival time (TAT) of the next request at the sustained
// rate, so that taking a token is a compare and an add, and a bucket whose
// TAT is in the past is exactly a full bucket, the same as no bucket at
// all. A refused request gets 429 with Retry-After in whole seconds.
//
// The global bucket is one atomic int64 updated with compare-and-swap: no
// lock, and exact at any rate (a bucket sharded per CPU would split a low
// rate into shares that round to nothing). Its cost under contention is
// the cache line the CPUs pass around, tens of nanoseconds.
//
// The per-IP buckets, and each rated rule's, live in a fixed key table
// (table.go): 65536 buckets, 2 MiB, allocated once.
//
// With `store` (a Redis URL) the limits hold for every mothership sharing
// it: each bucket also keeps its share of the current fixed window (one
// second for the global limit, one minute per client, the rule's unit for
// a rule), an atomic word that a request checks and counts without a
// round trip. A background sync (sync.go) reports what each key used, and
// reserves its next share in the store; share.go has the word, shared.go
// the windows and claims, redis.go the one pipelined round trip and its
// script.
package ratelimit

import (
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// key keeps the server's one limiter in pipeline.Build.Shared.
type key struct{}

// Build gives every route the server's limiter when a limit is set, and
// none otherwise. With a store, the limiter shares its limits through the
// server's sharing.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	v, err := b.Shared(key{}, func() (any, error) {
		cfg := b.Manifest.Mothership.RateLimiting
		l := newRateLimit(cfg, monotonicNow)
		if l == nil {
			return l, nil
		}
		l.obs = observer(b)
		s, err := sharingOf(b)
		if err != nil {
			return nil, err
		}
		if s != nil {
			l.share(cfg, s)
		}
		return l, nil
	})
	if l, _ := v.(*rateLimit); l != nil {
		return l, err
	}
	return nil, err // a nil *rateLimit in a Stage would not be nil
}

// observer is the server's rate-limit observer, or one that counts
// nothing.
func observer(b *pipeline.Build) Observer {
	if o, ok := b.Observer.(Observers); ok {
		return o.RateLimit()
	}
	return nopObserver{}
}

// clockBase makes monotonicNow small and monotonic.
var clockBase = time.Now()

// monotonicNow is the limiters' clock, in nanoseconds.
func monotonicNow() int64 { return int64(time.Since(clockBase)) }

// rateLimit is the stage; a nil bucket set means that limit is off, and a
// nil sharing that there is no store.
type rateLimit struct {
	global  *gcra
	perIP   *keyTable
	sharing *sharing
	perIPW  *window // the per-IP limit's shared window, with a store
	obs     Observer
	now     func() int64
}

// newRateLimit returns nil when neither limit is set (zero, negative or
// NaN means unlimited).
func newRateLimit(cfg manifest.RateLimiting, now func() int64) *rateLimit {
	l := &rateLimit{now: now, obs: nopObserver{}}
	if cfg.GlobalRPS > 0 {
		l.global = newGCRA(cfg.GlobalRPS, time.Second)
	}
	if cfg.PerIPRPM > 0 {
		l.perIP = newKeyTable(newGCRA(cfg.PerIPRPM, time.Minute))
	}
	if l.global == nil && l.perIP == nil {
		return nil
	}
	return l
}

// share makes the limiter share its limits through s.
func (l *rateLimit) share(cfg manifest.RateLimiting, s *sharing) {
	l.sharing = s
	if l.global != nil {
		s.global = newWindow(time.Second, cfg.GlobalRPS)
		s.globalShare = &l.global.share
	}
	if l.perIP != nil {
		l.perIPW = s.addKeyed(l.perIP, time.Minute, cfg.PerIPRPM, "ip:").win
	}
}

// Serve refuses a request over either limit, the client's first: a client
// refused for its own excess does not spend the global budget.
func (l *rateLimit) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	now := l.now()
	var global *window
	wall := int64(0)
	if s := l.sharing; s != nil {
		global, wall = s.global, now+s.wallOffset
	}
	// A client of unknown address (a Unix socket without a PROXY header)
	// has no bucket of its own; the global limit still applies.
	if l.perIP != nil && x.Client.IsValid() {
		key := x.Client.As16() // an IPv4 address and its IPv4-mapped form are one client
		if wait := l.perIP.take(&key, now, l.perIPW, wall); wait > 0 {
			l.refuse(x.Response, LimitPerIP, wait)
			return
		}
	}
	if l.global != nil {
		if wait := l.takeGlobal(now, global, wall); wait > 0 {
			l.refuse(x.Response, LimitGlobal, wait)
			return
		}
	}
	next.Serve(x)
}

// takeGlobal takes a token from the global bucket and, with a store, from
// its share of the window, or tells the wait.
func (l *rateLimit) takeGlobal(now int64, w *window, wall int64) (wait int64) {
	if w == nil {
		return l.global.take(now)
	}
	tag := l.sharing.globalShare.take(windowTag(w.index(wall)), w.fresh.Load())
	if tag == 0 {
		return w.wait(wall)
	}
	if wait = l.global.take(now); wait > 0 {
		l.sharing.globalShare.untake(tag)
	}
	return wait
}

func (l *rateLimit) refuse(w pipeline.ResponseWriter, by Limiter, wait int64) {
	l.obs.Limited(by)
	w.Header().Set("Retry-After", RetryAfter(time.Duration(wait)))
	answerTooMany.Write(w)
}

var answerTooMany = pipeline.NewAnswer(http.StatusTooManyRequests, "429 too many requests: slow down and retry after the time in Retry-After")

// retryAfter holds Retry-After values built once, up to an hour (the
// longest a rule's rate waits), so that refusing does not allocate
// either: a flood is when refusals are many.
var retryAfter = func() []string {
	vs := make([]string, 3601)
	for i := range vs {
		vs[i] = strconv.Itoa(i)
	}
	return vs
}()

// RetryAfter is the Retry-After value for a wait: whole seconds rounded
// up, at least one. It does not allocate for a wait of up to an hour.
func RetryAfter(wait time.Duration) string {
	secs := max(1, (wait+time.Second-1)/time.Second)
	if secs < time.Duration(len(retryAfter)) {
		return retryAfter[secs]
	}
	return strconv.FormatInt(int64(secs), 10)
}

// gcra is a token bucket of `rate` tokens per `per`, holding as many as
// arrive in one `per` (at least one): a burst of one second's worth for
// global_rps, one minute's for per_ip_rpm.
type gcra struct {
	tat       atomic.Int64 // theoretical arrival time, on the stage's clock
	share     share        // with a store; on tat's cache line, as both change together
	interval  int64        // nanoseconds per token
	tolerance int64        // burst × interval
}

func newGCRA(rate float64, per time.Duration) *gcra {
	interval := max(1, int64(math.Ceil(float64(per)/rate)))
	burst := max(1, int64(rate))
	return &gcra{interval: interval, tolerance: burst * interval}
}

// next is the TAT after taking a token from a bucket at tat, or the wait
// until one is there (then next is 0).
func (g *gcra) next(tat, now int64) (next, wait int64) {
	next = max(tat, now) + g.interval
	if wait = next - now - g.tolerance; wait > 0 {
		return 0, wait
	}
	return next, 0
}

// take takes a token from the global bucket, or tells the wait.
func (g *gcra) take(now int64) (wait int64) {
	for {
		tat := g.tat.Load()
		next, wait := g.next(tat, now)
		if wait > 0 {
			return wait
		}
		if g.tat.CompareAndSwap(tat, next) {
			return 0
		}
	}
}
