package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// rateStep is one request of a Rate scenario: after advancing the clock,
// of key, and the wait expected (0: admitted).
type rateStep struct {
	after time.Duration
	key   string
	wait  time.Duration
}

// TestRate: a rule's rate admits a burst of its count, then one request
// per count-th of its unit, each key on its own.
func TestRate(t *testing.T) {
	burst := func(key string, n int) []rateStep {
		s := make([]rateStep, n)
		for i := range s {
			s[i] = rateStep{key: key}
		}
		return s
	}
	cases := []struct {
		name  string
		rate  manifest.Rate
		steps []rateStep
	}{
		{"60/min: a burst of 60, then a second's wait", manifest.Rate{Count: 60, Per: time.Minute},
			append(burst("a", 60), rateStep{key: "a", wait: time.Second})},
		{"5/s: a token back after 200ms", manifest.Rate{Count: 5, Per: time.Second},
			append(burst("a", 5), rateStep{key: "a", wait: 200 * time.Millisecond}, rateStep{after: 200 * time.Millisecond, key: "a"}, rateStep{key: "a", wait: 200 * time.Millisecond})},
		{"2/h: half an hour's wait", manifest.Rate{Count: 2, Per: time.Hour},
			append(burst("a", 2), rateStep{key: "a", wait: 30 * time.Minute}, rateStep{after: 29 * time.Minute, key: "a", wait: time.Minute})},
		{"each key counts on its own", manifest.Rate{Count: 1, Per: time.Minute},
			[]rateStep{{key: "a"}, {key: "a", wait: time.Minute}, {key: "b"}, {key: "b", wait: time.Minute}}},
	}
	for _, tc := range cases {
		clock := &fakeClock{t: int64(time.Hour)}
		rt := newRate(tc.rate, clock.now)
		for i, s := range tc.steps {
			clock.advance(s.after)
			key := FingerprintKey([]byte(s.key))
			if got := rt.Take(&key); got != s.wait {
				t.Errorf("%s: step %d (%s): wait %v, want %v", tc.name, i, s.key, got, s.wait)
			}
		}
	}
}

// TestRateKeys: a fingerprint's key is the same on every server, and an
// address's is the address, IPv4 and IPv4-mapped alike.
func TestRateKeys(t *testing.T) {
	fp := []byte("ge11nn030000_a8ea46949477_000000000000_000000000000")
	sum := sha256.Sum256(fp)
	if k := FingerprintKey(fp); hex.EncodeToString(k[:]) != hex.EncodeToString(sum[:16]) {
		t.Errorf("FingerprintKey: %x, want the first 16 bytes of the SHA-256 %x", k, sum[:16])
	}
	if AddrKey(netip.MustParseAddr("192.0.2.1")) != AddrKey(netip.MustParseAddr("::ffff:192.0.2.1")) {
		t.Errorf("AddrKey: an IPv4 address and its IPv4-mapped form differ")
	}
	if AddrKey(netip.Addr{}) != ([16]byte{}) {
		t.Errorf("AddrKey: an unknown address is not the zero key")
	}
}

// TestRateSharedWithinBound: three servers share a rule's rate through a
// store; one fingerprint spread over them gets the rate, within the
// README's bound, per window, counted under the rule's name in the store.
func TestRateSharedWithinBound(t *testing.T) {
	cases := []struct {
		name        string
		rate        manifest.Rate
		count       int
		step, every time.Duration
	}{
		{"per minute, a burst before the first sync", manifest.Rate{Count: 30, Per: time.Minute}, 90, time.Millisecond, 200 * time.Millisecond},
		{"per minute, a steady client over many syncs", manifest.Rate{Count: 60, Per: time.Minute}, 600, 50 * time.Millisecond, 200 * time.Millisecond},
		{"per second, a sync every 100ms", manifest.Rate{Count: 20, Per: time.Second}, 60, 10 * time.Millisecond, 100 * time.Millisecond},
		{"per hour", manifest.Rate{Count: 100, Per: time.Hour}, 400, time.Second, 200 * time.Millisecond},
	}
	for _, tc := range cases {
		clock := &fakeClock{t: int64(24 * time.Hour)} // the start of every window
		m, st := memFleet(3)
		rates := make([]*Rate, 3)
		shares := make([]*sharing, 3)
		for i := range rates {
			shares[i] = newSharing(manifest.RateLimiting{Prefix: "t:"}, st[i], clock.now, 0, nopObserver{})
			rates[i] = newRate(tc.rate, clock.now)
			rates[i].share(shares[i], tc.rate, "crawlers")
			// Locally 10× the rate: only the shared window limits.
			rates[i].table.rate = newGCRA(float64(10*tc.rate.Count), tc.rate.Per)
		}
		for range 2 {
			for _, s := range shares {
				if err := s.syncOnce(context.Background(), time.Second); err != nil {
					t.Fatal(err)
				}
			}
		}
		key := FingerprintKey([]byte("ge11nn030000_a8ea46949477_000000000000_000000000000"))
		admitted, since := 0, time.Duration(0)
		for i := range tc.count {
			if rates[i%3].Take(&key) == 0 {
				admitted++
			}
			clock.advance(tc.step)
			if since += tc.step; since >= tc.every {
				since = 0
				for _, s := range shares {
					_ = s.syncOnce(context.Background(), time.Second)
				}
			}
		}
		for _, s := range shares { // what the last interval admitted reaches the store
			_ = s.syncOnce(context.Background(), time.Second)
		}
		limit := int(tc.rate.Count)
		if admitted > sharedBound(limit, 3) || admitted < limit-3 {
			t.Errorf("%s: the deployment admitted %d in one window; want %d to %d", tc.name, admitted, limit-3, sharedBound(limit, 3))
		}
		want := fmt.Sprintf("t:shield:crawlers:%x:%d", sha256Of(key[:])[:8], (24*time.Hour)/tc.rate.Per)
		if m.counters[want] == nil {
			var keys []string
			for k := range m.counters {
				keys = append(keys, k)
			}
			t.Errorf("%s: nothing counted under %s; the store has %s", tc.name, want, strings.Join(keys, ", "))
		}
	}
}

func sha256Of(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// recorder is a pipeline.Observer and an Observer that keeps what the
// stage reported at build.
type recorder struct {
	pipeline.NopObserver
	nopObserver
	stores []string
	rules  []string
}

func (r *recorder) RateLimit() Observer      { return r }
func (r *recorder) Shared(url string)        { r.stores = append(r.stores, url) }
func (r *recorder) Rule(name string) Counter { r.rules = append(r.rules, name); return nopCounter{} }

// TestNewRateSharedPerServer: every route of a server gets one Rate per
// rule, and with a store the server's one sharing, reported without the
// store's password, even when no global or per-IP limit is set.
func TestNewRateSharedPerServer(t *testing.T) {
	m := &manifest.Manifest{Mothership: manifest.Mothership{RateLimiting: manifest.RateLimiting{
		Store: "redis://:hunter2@127.0.0.1:1/0", Prefix: "t:", SyncInterval: time.Second}}}
	obs := &recorder{}
	b := &pipeline.Build{Manifest: m, Observer: obs}
	r := manifest.Rate{Count: 10, Per: time.Minute}
	a1, err1 := NewRate(b, "crawlers", r)
	a2, err2 := NewRate(b, "crawlers", r)
	other, err3 := NewRate(b, "old-clients", r)
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if a1 != a2 || a1 == other {
		t.Errorf("one rule gave two Rates, or two rules one")
	}
	s, _ := sharingOf(b)
	if s == nil || len(s.keyed) != 2 || a1.win == nil || s.keyed[0].kind != "shield:crawlers:" || s.keyed[1].kind != "shield:old-clients:" {
		t.Fatalf("the sharing %+v does not hold both rules' windows", s)
	}
	if strings.Join(obs.stores, ",") != "redis://:xxxxx@127.0.0.1:1/0" || strings.Join(obs.rules, ",") != "crawlers,old-clients" {
		t.Errorf("reported stores %q and rules %q; want the store once, without its password, and each rule once", obs.stores, obs.rules)
	}
	if len(b.Starts()) != 1 || len(b.Drains()) != 1 {
		t.Errorf("%d starts and %d drains asked for; want one sync from start to drain", len(b.Starts()), len(b.Drains()))
	}
}
