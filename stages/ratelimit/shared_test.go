package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// memStore is the store's arithmetic (claimScript's) in memory, shared by
// the servers of a test; down makes every sync fail.
type memStore struct {
	counters map[string]*memCounter
	live     map[string]bool
	down     bool
}

// memCounter is one key's hash in the store: admitted and reserved.
type memCounter struct{ used, held int64 }

// errStoreDown is a memStore's answer while it is down.
var errStoreDown = errors.New("connection refused")

// memPeer is one server's connection to a memStore.
type memPeer struct {
	m  *memStore
	id string
}

func (p memPeer) sync(_ context.Context, _ time.Time, claims []claim) (int, error) {
	if p.m.down {
		return 0, errStoreDown
	}
	p.m.live[p.id] = true
	n := int64(len(p.m.live))
	for i := range claims {
		c := &claims[i]
		k := p.m.counters[c.key]
		if k == nil {
			k = &memCounter{}
			p.m.counters[c.key] = k
		}
		k.used += int64(c.report.used)
		k.held -= int64(c.report.held)
		limit := int64(c.limit)
		c.grant = 0
		if g := min((limit-k.used+n-1)/n, limit-k.used-k.held); g > 0 {
			c.grant = uint64(g)
			k.held += g
		}
	}
	return int(n), nil
}

func (p memPeer) leave(context.Context) error { delete(p.m.live, p.id); return nil }

// fleetOf is n limiters of cfg on one fake clock, sharing through stores.
func fleetOf(cfg manifest.RateLimiting, clock *fakeClock, stores []store) []*rateLimit {
	ls := make([]*rateLimit, len(stores))
	for i, st := range stores {
		ls[i] = newRateLimit(cfg, clock.now)
		ls[i].share(cfg, newSharing(cfg, st, clock.now, 0, nopObserver{}))
	}
	return ls
}

func memFleet(n int) (*memStore, []store) {
	m := &memStore{counters: map[string]*memCounter{}, live: map[string]bool{}}
	st := make([]store, n)
	for i := range st {
		st[i] = memPeer{m: m, id: fmt.Sprint("server", i)}
	}
	return m, st
}

// spread sends count requests from ip round robin over the servers, the
// clock advancing step after each, and returns the admitted per server.
// Each server syncs every sync of the clock's time, server i first at
// first[i] (at sync when first is shorter), as servers with tickers of
// their own do.
func spread(t *testing.T, ls []*rateLimit, clock *fakeClock, ip string, count int, step, sync time.Duration, first ...time.Duration) []int {
	t.Helper()
	admitted := make([]int, len(ls))
	next := make([]time.Duration, len(ls))
	for i := range next {
		next[i] = sync
		if i < len(first) {
			next[i] = first[i]
		}
	}
	x := &pipeline.Exchange{Client: netip.MustParseAddr(ip)}
	elapsed := time.Duration(0)
	for i := range count {
		w := &pipelinetest.Recorder{}
		x.Response = w
		ls[i%len(ls)].Serve(x, pipelinetest.End{})
		if w.Code == 204 {
			admitted[i%len(ls)]++
		}
		clock.advance(step)
		elapsed += step
		for j, l := range ls {
			if elapsed >= next[j] {
				next[j] += sync
				if err := l.sharing.syncOnce(context.Background(), time.Second); err != nil && !errors.Is(err, errStoreDown) {
					t.Fatalf("server %d's sync: %v", j, err)
				}
			}
		}
	}
	return admitted
}

// announce syncs every server twice, so that each knows them all.
func announce(t *testing.T, ls []*rateLimit) {
	t.Helper()
	for range 2 {
		for _, l := range ls {
			if err := l.sharing.syncOnce(context.Background(), time.Second); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func sum(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return s
}

// sharedBound is the README's worst case for one key and window: the limit
// plus every server but one's fresh count, ⌈limit/n⌉.
func sharedBound(limit, n int) int { return limit + (n-1)*((limit+n-1)/n) }

// TestSharedPerIPWithinBound: three servers, one client spreading over
// them; in one window the deployment admits the per-IP limit, not three
// times it, and at least the limit less the rounding (grants come back as
// the servers sync).
func TestSharedPerIPWithinBound(t *testing.T) {
	cases := []struct {
		name        string
		rpm         float64
		count       int
		step, every time.Duration
		first       []time.Duration // each server's first sync
	}{
		{"a burst before the first sync", 30, 90, time.Millisecond, 200 * time.Millisecond, nil},
		// Each server has spent 2 of its fresh 10 when it syncs: the grants
		// must still add up to the limit, not shrink from one to the next.
		{"a burst with a sync early in it, one server after another", 30, 90, time.Millisecond, 200 * time.Millisecond,
			[]time.Duration{6 * time.Millisecond, 7 * time.Millisecond, 8 * time.Millisecond}},
		{"a burst with a sync halfway, one server after another", 30, 90, time.Millisecond, 200 * time.Millisecond,
			[]time.Duration{30 * time.Millisecond, 45 * time.Millisecond, 60 * time.Millisecond}},
		{"a steady client over many syncs", 60, 600, 50 * time.Millisecond, 200 * time.Millisecond, nil},
		{"a steady client over staggered syncs", 60, 600, 50 * time.Millisecond, 200 * time.Millisecond,
			[]time.Duration{70 * time.Millisecond, 140 * time.Millisecond, 210 * time.Millisecond}},
		{"a steady client, a sync per request", 100, 900, 10 * time.Millisecond, 10 * time.Millisecond, nil},
	}
	for _, tc := range cases {
		clock := &fakeClock{t: int64(time.Hour)} // the start of a window
		_, st := memFleet(3)
		ls := fleetOf(manifest.RateLimiting{PerIPRPM: tc.rpm, Prefix: "t:"}, clock, st)
		announce(t, ls)
		// The local buckets allow 10× the limit: only the shared window limits.
		for _, l := range ls {
			l.perIP.rate = newGCRA(tc.rpm*10, time.Minute)
		}
		got := sum(spread(t, ls, clock, "198.51.100.9", tc.count, tc.step, tc.every, tc.first...))
		limit := int(tc.rpm)
		if got > sharedBound(limit, 3) || got < limit-3 {
			t.Errorf("%s: the deployment admitted %d in one window; want %d to %d", tc.name, got, limit-3, sharedBound(limit, 3))
		}
	}
}

// TestSharedWorstCaseBound: a client that spends its budget on one server,
// then goes to the two others that never saw it, gets the README's worst
// case, and no more.
func TestSharedWorstCaseBound(t *testing.T) {
	clock := &fakeClock{t: int64(time.Hour)}
	_, st := memFleet(3)
	ls := fleetOf(manifest.RateLimiting{PerIPRPM: 30, Prefix: "t:"}, clock, st)
	announce(t, ls)
	got := sum(spread(t, ls[:1], clock, "198.51.100.9", 100, 100*time.Millisecond, 200*time.Millisecond))
	got += sum(spread(t, ls[1:], clock, "198.51.100.9", 100, 10*time.Millisecond, time.Hour))
	if want := sharedBound(30, 3); got != want {
		t.Errorf("admitted %d in one window, want the worst case %d", got, want)
	}
}

// TestSharedUnderestimatedServers: servers that started one after another
// and have synced once believe 1, 2 and 3 servers live, so their fresh
// counts are 30, 15 and 10; the worst case is then the limit plus the two
// largest, as the README states.
func TestSharedUnderestimatedServers(t *testing.T) {
	clock := &fakeClock{t: int64(time.Hour)}
	_, st := memFleet(3)
	ls := fleetOf(manifest.RateLimiting{PerIPRPM: 30, Prefix: "t:"}, clock, st)
	for _, l := range ls {
		if err := l.sharing.syncOnce(context.Background(), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	got := sum(spread(t, ls[2:], clock, "198.51.100.9", 100, 100*time.Millisecond, 200*time.Millisecond))
	got += sum(spread(t, ls[:2], clock, "198.51.100.9", 100, 10*time.Millisecond, time.Hour))
	if want := 30 + 30 + 15; got != want {
		t.Errorf("admitted %d in one window, want the worst case 30 + 30 + 15 = %d", got, want)
	}
}

// TestSharedFallback: with the store gone each server limits every window
// to limit / (the last known servers), serves meanwhile, and shares again
// once the store is back.
func TestSharedFallback(t *testing.T) {
	clock := &fakeClock{t: int64(time.Hour)}
	m, st := memFleet(3)
	ls := fleetOf(manifest.RateLimiting{PerIPRPM: 30, GlobalRPS: 1000, Prefix: "t:"}, clock, st)
	announce(t, ls)
	m.down = true
	clock.advance(time.Minute) // a window the store never sees
	got := spread(t, ls, clock, "198.51.100.9", 90, time.Millisecond, 200*time.Millisecond)
	for i, n := range got {
		if n != 10 {
			t.Errorf("store down: server %d admitted %d, want 30/3 = 10", i, n)
		}
	}
	if n := ls[0].sharing.servers.Load(); n != 3 {
		t.Errorf("store down: %d servers known, want the last count, 3", n)
	}
	m.down = false
	clock.advance(time.Minute)
	if got := sum(spread(t, ls, clock, "198.51.100.10", 90, 5*time.Millisecond, 200*time.Millisecond)); got > sharedBound(30, 3) {
		t.Errorf("store back: the deployment admitted %d, bound %d", got, sharedBound(30, 3))
	}
	if m.counters["t:ip:"+ipHash("198.51.100.10")+fmt.Sprint(":", clock.t/int64(time.Minute))] == nil {
		t.Errorf("store back: nothing counted in the store")
	}
}

func ipHash(ip string) string {
	k := netip.MustParseAddr(ip).As16()
	s := (&sharing{}).storeKey("ip:", &k, 0)
	return s[len("ip:") : len(s)-len(":0")]
}

// TestSharedRedis runs a burst over three servers against the real Redis
// of this machine: the claim script's arithmetic, the live-server count,
// and the keys' expiry.
func TestSharedRedis(t *testing.T) {
	const url = "redis://127.0.0.1:6379/0"
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		t.Skipf("no Redis on 127.0.0.1:6379 (.ci/run starts it): %v", err)
	} else {
		c.Close()
	}
	cfg := manifest.RateLimiting{PerIPRPM: 30, GlobalRPS: 1000, Store: url, Prefix: fmt.Sprintf("mstest:%d:", time.Now().UnixNano()), SyncInterval: 100 * time.Millisecond}
	clock := &fakeClock{t: int64(time.Hour)}
	st := make([]store, 3)
	for i := range st {
		r, err := newRedisStore(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer r.leave(context.Background())
		st[i] = r
	}
	ls := fleetOf(cfg, clock, st)
	announce(t, ls)
	for _, l := range ls {
		l.perIP.rate = newGCRA(300, time.Minute) // only the shared window limits
	}
	got := sum(spread(t, ls, clock, "198.51.100.9", 300, 20*time.Millisecond, 100*time.Millisecond))
	if got > sharedBound(30, 3) || got < 27 {
		t.Errorf("the deployment admitted %d in one window; want 27 to %d", got, sharedBound(30, 3))
	}
	if n := ls[2].sharing.servers.Load(); n != 3 {
		t.Errorf("%d live servers counted, want 3", n)
	}
	key := cfg.Prefix + "ip:" + ipHash("198.51.100.9") + ":60" // the window of the clock's start, 1h
	ttl, err := st[0].(*redisStore).client.PTTL(context.Background(), key).Result()
	if err != nil || ttl <= time.Minute || ttl > 2*time.Minute {
		t.Errorf("%s expires in %v (%v), want within two windows", key, ttl, err)
	}
}

// BenchmarkSync is one sync's cost with 10,000 active client keys against
// the real Redis of this machine: collecting, the round trip, settling.
func BenchmarkSync(b *testing.B) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		b.Skipf("no Redis on 127.0.0.1:6379: %v", err)
	} else {
		c.Close()
	}
	cfg := manifest.RateLimiting{PerIPRPM: 1e6, Store: "redis://127.0.0.1:6379/0", Prefix: fmt.Sprintf("msbench:%d:", time.Now().UnixNano()), SyncInterval: time.Second}
	r, err := newRedisStore(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer r.leave(context.Background())
	l := newRateLimit(cfg, monotonicNow)
	l.share(cfg, newSharing(cfg, r, monotonicNow, clockBase.UnixNano(), nopObserver{}))
	x := &pipeline.Exchange{Response: &pipelinetest.Recorder{}}
	for i := range 10_000 {
		x.Client = netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})
		l.Serve(x, pipelinetest.End{})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := l.sharing.syncOnce(context.Background(), 5*time.Second); err != nil {
			b.Fatal(err)
		}
	}
	if n := len(l.sharing.claims); n < 9_900 {
		b.Fatalf("%d keys claimed, want 10000", n)
	}
}

// TestSharedSyncWhileServing runs the sync loop against the real Redis
// while requests are served from several goroutines (run it with -race):
// the global share, counted by requests and settled by the sync at once,
// admits at most the limit per window.
func TestSharedSyncWhileServing(t *testing.T) {
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		t.Skipf("no Redis on 127.0.0.1:6379: %v", err)
	} else {
		c.Close()
	}
	cfg := manifest.RateLimiting{GlobalRPS: 500, PerIPRPM: 1e6, Store: "redis://127.0.0.1:6379/0",
		Prefix: fmt.Sprintf("mstest:%d:", time.Now().UnixNano()), SyncInterval: 10 * time.Millisecond}
	r, err := newRedisStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := newRateLimit(cfg, monotonicNow)
	l.share(cfg, newSharing(cfg, r, monotonicNow, clockBase.UnixNano(), nopObserver{}))
	l.global = newGCRA(1e9, time.Second) // only the shared window limits
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.sharing.run(ctx, cfg, nil) }()
	// The windows are counted on the limiter's clock, the one that cuts
	// them: wall time read apart from it may disagree at a boundary.
	window := func() int64 { return l.sharing.global.index(l.now() + l.sharing.wallOffset) }
	first := window()
	admitted := make([]int, 4)
	var wg sync.WaitGroup
	for g := range admitted {
		wg.Go(func() {
			x := &pipeline.Exchange{}
			for i := range 3000 {
				w := &pipelinetest.Recorder{}
				x.Response, x.Client = w, netip.AddrFrom4([4]byte{10, 2, byte(g), byte(i % 50)})
				l.Serve(x, pipelinetest.End{})
				if w.Code == 204 {
					admitted[g]++
				}
			}
		})
	}
	wg.Wait()
	windows := int(window()-first) + 1
	cancel()
	<-done
	r.leave(context.Background())
	if got := sum(admitted); got > 500*windows || got == 0 {
		t.Errorf("admitted %d over %d one-second windows, want 1 to %d", got, windows, 500*windows)
	}
}

// TestShareStaleWindow: a request or a sync that read the clock before
// the window turned, and got to the share after, neither turns the share
// back to its window nor empties it: either would start the window's
// count afresh and admit a second fresh share in one window.
func TestShareStaleWindow(t *testing.T) {
	const fresh = 3
	tests := []struct {
		name  string
		steps func(s *share, i int64) // the share's window is i+1 at the end
	}{
		{"a request stalled across one boundary", func(s *share, i int64) {
			fill(s, i, fresh)
			s.take(windowTag(i+1), fresh)
			s.take(windowTag(i), fresh) // read the clock in window i
		}},
		{"a request stalled across several boundaries", func(s *share, i int64) {
			s.take(windowTag(i+1), fresh)
			s.take(windowTag(i-5), fresh)
		}},
		{"a sync stalled across boundaries", func(s *share, i int64) {
			s.take(windowTag(i+1), fresh)
			s.snapshot(windowTag(i - 1))
		}},
	}
	for _, tt := range tests {
		for _, i := range []int64{100, tagCycle - 1, tagCycle, 2*tagCycle - 2} { // also where the tags come round
			var s share
			tt.steps(&s, i)
			tag, _, granted, used := unpackShare(s.v.Load())
			if extra := fill(&s, i+1, fresh); tag != windowTag(i+1) || granted != fresh || used+uint64(extra) != fresh {
				t.Errorf("%s (window %d): share of tag %d, granted %d, used %d, then %d more admitted; want tag %d and %d in all",
					tt.name, i+1, tag, granted, used, extra, windowTag(i+1), fresh)
			}
		}
	}
}

// fill takes from s in window i until it refuses, and returns how many it
// admitted.
func fill(s *share, i int64, fresh uint64) int {
	n := 0
	for ; n <= 1000 && s.take(windowTag(i), fresh) != 0; n++ {
	}
	return n
}
