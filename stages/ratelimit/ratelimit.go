// Package ratelimit is the rate-limit stage: `[mothership.rate_limiting] global_rps` and
// `per_ip_rpm`, token buckets kept as GCRA (the generic cell rate
// algorithm): a bucket is one number, the theoretical arrival time (TAT) of
// the next request at the sustained rate, so that taking a token is a
// compare and an add, and a bucket whose TAT is in the past is exactly a
// full bucket, the same as no bucket at all. A refused request gets 429
// with Retry-After in whole seconds.
//
// The global bucket is one atomic int64 updated with compare-and-swap: no
// lock, and exact at any rate (a bucket sharded per CPU would split a low
// rate into shares that round to nothing). Its cost under contention is
// the cache line the CPUs pass around, tens of nanoseconds.
//
// The per-IP buckets live in a fixed table allocated once, 64 shards of
// 128 sets of 8 ways (65536 buckets, 2 MiB), each shard behind its own
// mutex and picked by a seeded hash of the client IP. A new IP takes the
// way of its set whose TAT is earliest: an idle bucket (TAT passed, so
// nothing is lost), or under a flood of distinct IPs the one nearest to
// idle, so that a client that used its budget is the last to be forgotten.
// Memory is bounded by construction and the allow path allocates nothing.
//
// With `store` (a Redis URL) the limits hold for every mothership sharing
// it: each bucket also keeps its share of the current fixed window (one
// second for the global limit, one minute per client), an atomic word that
// a request checks and counts without a round trip. A background sync
// (sync.go) reports what each key used, and reserves its next share in the
// store; share.go has the word, shared.go the windows and claims, redis.go
// the one pipelined round trip and its script.
package ratelimit

import (
	"context"
	"math"
	"math/bits"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// key keeps the server's one limiter in pipeline.Build.Shared.
type key struct{}

// Build gives every route the server's limiter when a limit is set, and
// none otherwise. With a store, the limiter syncs with it from the
// server's start to its drain.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	v, err := b.Shared(key{}, func() (any, error) {
		cfg := b.Manifest.Mothership.RateLimiting
		var obs Observer = nopObserver{}
		if o, ok := b.Observer.(Observers); ok && (cfg.GlobalRPS > 0 || cfg.PerIPRPM > 0) {
			obs = o.RateLimit()
		}
		l := newRateLimit(cfg, monotonicNow)
		if l == nil {
			return l, nil
		}
		l.obs = obs
		if cfg.Store != "" {
			st, err := newRedisStore(cfg)
			if err != nil {
				return nil, err
			}
			l.share(cfg, st, clockBase.UnixNano())
			syncFromStartToDrain(b, l, cfg, st)
		}
		return l, nil
	})
	if l, _ := v.(*rateLimit); l != nil {
		return l, err
	}
	return nil, err // a nil *rateLimit in a Stage would not be nil
}

// syncFromStartToDrain runs the limiter's sync while the server runs. At
// drain the sync stops first, then the server leaves the live set: a sync
// after leaving would announce it again, and one on the closed client
// would log the store as gone.
func syncFromStartToDrain(b *pipeline.Build, l *rateLimit, cfg manifest.RateLimiting, st store) {
	stop, done := make(chan struct{}), make(chan struct{})
	var started atomic.Bool
	b.OnStart(func(ctx context.Context) {
		defer close(done)
		started.Store(true)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		l.run(ctx, cfg, b.Events)
	})
	b.OnDrain(func(ctx context.Context) {
		close(stop)
		if started.Load() {
			select {
			case <-done:
			case <-ctx.Done():
			}
		}
		_ = st.leave(ctx)
	})
}

// clockBase makes monotonicNow small and monotonic.
var clockBase = time.Now()

// monotonicNow is the limiters' clock, in nanoseconds.
func monotonicNow() int64 { return int64(time.Since(clockBase)) }

// rateLimit is the stage; a nil bucket set means that limit is off, and a
// nil sharing that there is no store.
type rateLimit struct {
	global  *gcra
	perIP   *ipBuckets
	sharing *sharing
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
		l.perIP = &ipBuckets{rate: newGCRA(cfg.PerIPRPM, time.Minute), seed: [2]uint64{rand.Uint64(), rand.Uint64()}}
	}
	if l.global == nil && l.perIP == nil {
		return nil
	}
	return l
}

// share makes the limiter share its limits through st; wallOffset turns
// its clock into Unix nanoseconds.
func (l *rateLimit) share(cfg manifest.RateLimiting, st store, wallOffset int64) {
	s := &sharing{wallOffset: wallOffset, prefix: cfg.Prefix, store: st}
	s.servers.Store(1)
	if l.global != nil {
		s.global = newWindow(time.Second, cfg.GlobalRPS)
		s.globalShare = &l.global.share
	}
	if l.perIP != nil {
		s.perIP = newWindow(time.Minute, cfg.PerIPRPM)
	}
	l.sharing = s
}

// Serve refuses a request over either limit, the client's first: a client
// refused for its own excess does not spend the global budget.
func (l *rateLimit) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	now := l.now()
	var perIP, global *window
	wall := int64(0)
	if s := l.sharing; s != nil {
		perIP, global, wall = s.perIP, s.global, now+s.wallOffset
	}
	// A client of unknown address (a Unix socket without a PROXY header)
	// has no bucket of its own; the global limit still applies.
	if l.perIP != nil && x.Client.IsValid() {
		if wait := l.perIP.take(x.Client, now, perIP, wall); wait > 0 {
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
	tag := windowTag(w.index(wall))
	if !l.sharing.globalShare.take(tag, w.fresh.Load()) {
		return w.wait(wall)
	}
	if wait = l.global.take(now); wait > 0 {
		l.sharing.globalShare.untake(tag)
	}
	return wait
}

func (l *rateLimit) refuse(w pipeline.ResponseWriter, by Limiter, wait int64) {
	l.obs.Limited(by)
	refuseTooMany(w, wait)
}

var answerTooMany = pipeline.NewAnswer(http.StatusTooManyRequests, "429 too many requests: slow down and retry after the time in Retry-After")

// retryAfter holds Retry-After values built once, so that refusing does not
// allocate either: a flood is when refusals are many.
var retryAfter = func() []string {
	vs := make([]string, 121)
	for i := range vs {
		vs[i] = strconv.Itoa(i)
	}
	return vs
}()

// refuseTooMany answers 429 with the wait rounded up to whole seconds, at
// least one.
func refuseTooMany(w pipeline.ResponseWriter, wait int64) {
	secs := max(1, (wait+int64(time.Second)-1)/int64(time.Second))
	v := ""
	if secs < int64(len(retryAfter)) {
		v = retryAfter[secs]
	} else {
		v = strconv.FormatInt(secs, 10)
	}
	w.Header().Set("Retry-After", v)
	answerTooMany.Write(w)
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

// The per-IP table's shape: ipShards × ipSets × ipWays buckets.
const (
	ipShards   = 64
	ipSets     = 128
	ipWays     = 8
	ipCapacity = ipShards * ipSets * ipWays
)

// ipBuckets is the per-IP table; see the top of the file.
type ipBuckets struct {
	rate   *gcra // interval and tolerance only; its tat is unused
	seed   [2]uint64
	shards [ipShards]ipShard
}

type ipShard struct {
	mu   sync.Mutex
	sets [ipSets][ipWays]ipBucket
	// evicted counts buckets dropped before they were idle.
	evicted int
}

// ipBucket is one client's bucket; an unused one is a zero TAT, which reads
// as a full bucket whatever its address.
type ipBucket struct {
	addr  [16]byte
	tat   int64
	share share // with a store; see share.go
}

// take takes a token from ip's bucket, or tells the wait. With a shared
// window w (nil without a store) the client's share in the window of wall
// must have room as well.
func (t *ipBuckets) take(ip netip.Addr, now int64, w *window, wall int64) (wait int64) {
	key := ip.As16() // an IPv4 address and its IPv4-mapped form are one client
	h := t.hash(&key)
	sh := &t.shards[h%ipShards]
	set := &sh.sets[(h/ipShards)%ipSets]
	sh.mu.Lock()
	b, victim := (*ipBucket)(nil), 0
	for i := range set {
		if set[i].addr == key {
			b = &set[i]
			break
		}
		if set[i].tat < set[victim].tat {
			victim = i
		}
	}
	tat := int64(0)
	if b != nil {
		tat = b.tat
	}
	next, wait := t.rate.next(tat, now)
	if wait == 0 {
		if b == nil {
			b = &set[victim]
			if b.tat > now {
				sh.evicted++
			}
			b.addr = key
			b.share.v.Store(0)
		}
		if w != nil && !b.share.take(windowTag(w.index(wall)), w.fresh.Load()) {
			wait = w.wait(wall)
		} else {
			b.tat = next
		}
	}
	sh.mu.Unlock()
	return wait
}

// collect adds the claim of every client share in the window of wall.
func (t *ipBuckets) collect(s *sharing, wall int64) {
	i := s.perIP.index(wall)
	tag, nextTag := windowTag(i), windowTag(i+1)
	ttl := 2 * time.Duration(s.perIP.per)
	for si := range t.shards {
		sh := &t.shards[si]
		sh.mu.Lock()
		for set := range sh.sets {
			for way := range sh.sets[set] {
				b := &sh.sets[set][way]
				if c := b.share.snapshot(tag, nextTag); c != (claimed{}) {
					s.claims = append(s.claims, claim{limit: s.perIP.limit, ttl: ttl, report: c,
						addr: b.addr, shard: si, set: set, way: way, tag: tag})
				}
			}
		}
		sh.mu.Unlock()
	}
	for k := range s.claims {
		if c := &s.claims[k]; !c.global {
			c.key = s.ipKey(&c.addr, i)
		}
	}
}

// hash is a seeded mix of the address: an attacker who does not know the
// seed cannot aim a flood at one set.
func (t *ipBuckets) hash(k *[16]byte) uint64 {
	lo := uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
		uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
	hi := uint64(k[8]) | uint64(k[9])<<8 | uint64(k[10])<<16 | uint64(k[11])<<24 |
		uint64(k[12])<<32 | uint64(k[13])<<40 | uint64(k[14])<<48 | uint64(k[15])<<56
	h1, l1 := bits.Mul64(lo^t.seed[0], hi^t.seed[1])
	h2, l2 := bits.Mul64(h1^l1, 0x9e3779b97f4a7c15^t.seed[0])
	return h2 ^ l2
}

// live counts the buckets not yet idle at now, and the buckets dropped
// before they were idle; for tests and their documentation of the bound.
func (t *ipBuckets) live(now int64) (live, evicted int) {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for s := range sh.sets {
			for w := range sh.sets[s] {
				if sh.sets[s][w].tat > now {
					live++
				}
			}
		}
		evicted += sh.evicted
		sh.mu.Unlock()
	}
	return live, evicted
}
