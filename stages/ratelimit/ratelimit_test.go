package ratelimit

import (
	"net/netip"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// fakeClock is an injectable clock for the limiters and the CORS cache.
type fakeClock struct{ t int64 }

func (c *fakeClock) now() int64              { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t += int64(d) }

// limitStep is one request in a rate-limit scenario: after advancing the
// clock, from client ip, the answer expected.
type limitStep struct {
	after time.Duration
	ip    string
	want  int // status
	retry string
}

func TestRateLimitTable(t *testing.T) {
	const a, b = "198.51.100.1", "198.51.100.2"
	ok := func(ip string) limitStep { return limitStep{ip: ip, want: 204} }
	tooMany := func(ip, retry string) limitStep { return limitStep{ip: ip, want: 429, retry: retry} }
	cases := []struct {
		name  string
		cfg   manifest.RateLimiting
		steps []limitStep
	}{
		{"per IP: a burst of rpm, then 429", manifest.RateLimiting{PerIPRPM: 3},
			[]limitStep{ok(a), ok(a), ok(a), tooMany(a, "20")}},
		{"per IP: another IP is unaffected", manifest.RateLimiting{PerIPRPM: 2},
			[]limitStep{ok(a), ok(a), tooMany(a, "30"), ok(b), ok(b), tooMany(b, "30")}},
		{"per IP: a token comes back after 60/rpm seconds", manifest.RateLimiting{PerIPRPM: 2},
			[]limitStep{ok(a), ok(a), tooMany(a, "30"), {after: 29 * time.Second, ip: a, want: 429, retry: "1"},
				{after: time.Second, ip: a, want: 204}, tooMany(a, "30")}},
		{"per IP: IPv4 and its IPv4-mapped form are one client", manifest.RateLimiting{PerIPRPM: 1},
			[]limitStep{ok(a), tooMany("::ffff:"+a, "60")}},
		{"per IP: a client of unknown address is not limited per IP", manifest.RateLimiting{PerIPRPM: 1},
			[]limitStep{ok(""), ok(""), ok("")}},
		{"global: a burst of rps across clients, then 429", manifest.RateLimiting{GlobalRPS: 2},
			[]limitStep{ok(a), ok(b), tooMany("203.0.113.5", "1"), {after: 500 * time.Millisecond, ip: b, want: 204}}},
		{"global: below 1 rps, a burst of one and a long wait", manifest.RateLimiting{GlobalRPS: 0.1},
			[]limitStep{ok(a), tooMany(b, "10"), {after: 10 * time.Second, ip: b, want: 204}}},
		{"both: the per-IP refusal does not spend the global budget", manifest.RateLimiting{GlobalRPS: 2, PerIPRPM: 1},
			[]limitStep{ok(a), tooMany(a, "60"), tooMany(a, "60"), ok(b), tooMany("203.0.113.5", "1")}},
		{"a long wait", manifest.RateLimiting{PerIPRPM: 0.25},
			[]limitStep{ok(a), tooMany(a, "240")}},
		{"a wait past the prebuilt Retry-After values", manifest.RateLimiting{PerIPRPM: 0.01},
			[]limitStep{ok(a), tooMany(a, "6000")}},
	}
	for _, tc := range cases {
		clock := &fakeClock{t: int64(time.Hour)}
		l := newRateLimit(tc.cfg, clock.now)
		for i, s := range tc.steps {
			clock.advance(s.after)
			w := &pipelinetest.Recorder{}
			x := &pipeline.Exchange{Response: w}
			if s.ip != "" {
				x.Client = netip.MustParseAddr(s.ip)
			}
			l.Serve(x, pipelinetest.End{})
			if w.Code != s.want {
				t.Errorf("%s: step %d (%s): status %d, want %d", tc.name, i, s.ip, w.Code, s.want)
			}
			if got := w.Header().Get("Retry-After"); got != s.retry {
				t.Errorf("%s: step %d (%s): Retry-After %q, want %q", tc.name, i, s.ip, got, s.retry)
			}
		}
	}
	if newRateLimit(manifest.RateLimiting{}, monotonicNow) != nil {
		t.Errorf("no limits: a limiter was built")
	}
}

// TestRateLimitBuiltOnlyWhenSet checks the builder gives every route the
// stage when a limit is set, and no route otherwise.
func TestRateLimitBuiltOnlyWhenSet(t *testing.T) {
	cases := []struct {
		name string
		cfg  manifest.RateLimiting
		want bool
	}{
		{"unset", manifest.RateLimiting{}, false},
		{"negative", manifest.RateLimiting{GlobalRPS: -1, PerIPRPM: -5}, false},
		{"global", manifest.RateLimiting{GlobalRPS: 5}, true},
		{"per IP", manifest.RateLimiting{PerIPRPM: 5}, true},
	}
	for _, tc := range cases {
		b := &pipeline.Build{Manifest: &manifest.Manifest{Mothership: manifest.Mothership{RateLimiting: tc.cfg}}}
		s1, err1 := Build(b, nil)
		s2, err2 := Build(b, nil)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", tc.name, err1, err2)
		}
		if (s1 != nil) != tc.want || s1 != s2 {
			t.Errorf("%s: stages %v, %v; want built=%v and one limiter for every route", tc.name, s1, s2, tc.want)
		}
	}
}

// TestRateLimitFloodBound: a flood of 100k distinct IPs keeps the per-IP
// table at its fixed capacity (tableCapacity = 65536 buckets, 2 MiB,
// allocated with the limiter; no bucket is ever allocated after), and a
// client that spent its budget stays limited through it, since a new IP
// takes the bucket nearest to idle.
func TestRateLimitFloodBound(t *testing.T) {
	clock := &fakeClock{t: int64(time.Hour)}
	l := newRateLimit(manifest.RateLimiting{PerIPRPM: 2}, clock.now)
	abuser := netip.MustParseAddr("192.0.2.1").As16()
	l.perIP.take(&abuser, clock.now(), nil, 0)
	l.perIP.take(&abuser, clock.now(), nil, 0)
	i := uint32(0)
	flood := func() {
		i++
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}).As16()
		if wait := l.perIP.take(&ip, clock.now(), nil, 0); wait != 0 {
			t.Fatalf("flood IP %v refused on its first request", ip)
		}
	}
	if allocs := testing.AllocsPerRun(100_000, flood); allocs != 0 {
		t.Errorf("a new IP allocates %v times", allocs)
	}
	live, evicted := l.perIP.live(clock.now())
	if live > tableCapacity {
		t.Errorf("%d live buckets after a flood of %d IPs, bound %d", live, i, tableCapacity)
	}
	if int(i)+1-live > evicted {
		t.Errorf("%d IPs, %d live, but only %d evictions counted", i+1, live, evicted)
	}
	if wait := l.perIP.take(&abuser, clock.now(), nil, 0); wait == 0 {
		t.Errorf("the client that spent its budget was forgotten in the flood")
	}
	// Once idle, buckets are the same as free: an hour later nothing is live.
	clock.advance(time.Hour)
	if live, _ := l.perIP.live(clock.now()); live != 0 {
		t.Errorf("%d buckets live after an hour idle", live)
	}
}

func TestRateLimitNoAllocations(t *testing.T) {
	clock := &fakeClock{}
	l := newRateLimit(manifest.RateLimiting{GlobalRPS: 1e9, PerIPRPM: 1e9}, func() int64 { clock.t += 1e6; return clock.t })
	var next pipelinetest.End
	w := &pipelinetest.Recorder{}
	x := &pipeline.Exchange{Client: netip.MustParseAddr("198.51.100.7"), Response: w}
	deny := newRateLimit(manifest.RateLimiting{PerIPRPM: 1}, clock.now)
	deny.Serve(x, next)
	_, st := memFleet(1)
	shared := newRateLimit(manifest.RateLimiting{GlobalRPS: 1e6, PerIPRPM: 1e6}, l.now)
	shared.share(manifest.RateLimiting{GlobalRPS: 1e6, PerIPRPM: 1e6}, newSharing(manifest.RateLimiting{}, st[0], l.now, 0, nopObserver{}))
	cases := []struct {
		name string
		f    func()
	}{
		{"allow, both limits", func() { w.Reset(); l.Serve(x, next) }},
		{"allow, both limits, with a store", func() { w.Reset(); shared.Serve(x, next) }},
		{"refuse per IP", func() { w.Reset(); deny.Serve(x, next) }},
		{"real clock", func() { _ = monotonicNow() }},
	}
	for _, tc := range cases {
		if a := testing.AllocsPerRun(1000, tc.f); a != 0 {
			t.Errorf("%s: %v allocs per request, want 0", tc.name, a)
		}
	}
	if w.Code != 429 {
		t.Fatalf("the refusal was not measured: status %d", w.Code)
	}
}

func BenchmarkRateLimit(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  manifest.RateLimiting
	}{
		{"per IP", manifest.RateLimiting{PerIPRPM: 1e12}},
		{"global", manifest.RateLimiting{GlobalRPS: 1e12}},
		{"both", manifest.RateLimiting{GlobalRPS: 1e12, PerIPRPM: 1e12}},
		// The same limits as "both" locally, shared as large windows
		// (the largest a store allows) so that the run is all admissions.
		{"both with a store", manifest.RateLimiting{GlobalRPS: 6e7, PerIPRPM: 6e7, Store: "redis://127.0.0.1:6379"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := newRateLimit(bc.cfg, monotonicNow)
			if bc.cfg.Store != "" {
				_, st := memFleet(1)
				l.share(bc.cfg, newSharing(bc.cfg, st[0], monotonicNow, clockBase.UnixNano(), nopObserver{}))
				l.global, l.perIP.rate = newGCRA(1e12, time.Second), newGCRA(1e12, time.Minute)
			}
			var next pipelinetest.End
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				w := &pipelinetest.Recorder{}
				x := &pipeline.Exchange{Response: w}
				i := 0
				for pb.Next() {
					i++
					x.Client = netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)})
					w.Reset()
					l.Serve(x, next)
				}
			})
		})
	}
}
