package telemetry

import (
	"errors"
	"testing"
	"time"

	"github.com/mothership-go/mothership/stages/ratelimit"
)

// TestRateLimitMetrics reports what the rate-limit stage reports, from two
// servers on one Metrics (a reload), and scrapes the series.
func TestRateLimitMetrics(t *testing.T) {
	m := NewMetrics()
	a, b := m.RateLimit(), m.RateLimit()
	a.Limited(ratelimit.LimitPerIP)
	b.Limited(ratelimit.LimitPerIP)
	a.Limited(ratelimit.LimitGlobal)
	crawlers := a.Rule("crawlers")
	crawlers.Inc()
	b.Rule("crawlers").Inc()
	a.Rule("old-clients").Inc()
	a.Synced(2*time.Millisecond, nil)
	a.Synced(time.Second, errors.New("connection refused"))
	a.Servers(3)
	fams := scrape(t, serve(t, m.Handler()))
	for _, tc := range []struct {
		name, metric string
		labels       map[string]string
		want         float64
	}{
		{"per IP 429s", "mothership_ratelimit_limited_total", map[string]string{"limiter": "per_ip", "rule": ""}, 2},
		{"global 429s", "mothership_ratelimit_limited_total", map[string]string{"limiter": "global", "rule": ""}, 1},
		{"a shield rule's answers over its rate", "mothership_ratelimit_limited_total", map[string]string{"limiter": "shield", "rule": "crawlers"}, 2},
		{"another rule's", "mothership_ratelimit_limited_total", map[string]string{"limiter": "shield", "rule": "old-clients"}, 1},
		{"syncs", "mothership_ratelimit_syncs_total", map[string]string{}, 2},
		{"sync failures", "mothership_ratelimit_sync_failures_total", map[string]string{}, 1},
		{"live servers", "mothership_ratelimit_servers", map[string]string{}, 3},
	} {
		if got, ok := value(fams, tc.metric, tc.labels); !ok || got != tc.want {
			t.Errorf("%s: %s = %v (present %v), want %v", tc.name, tc.metric, got, ok, tc.want)
		}
	}
	for name, f := range map[string]func(){
		"Limited":      func() { a.Limited(ratelimit.LimitGlobal) },
		"a rule's Inc": crawlers.Inc,
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s allocates %v times on the request path", name, n)
		}
	}
}

// TestRateLimitDeployment: the deployment view follows the syncs: absent
// without a store, then the store, the servers, the counts, and the
// fallback while the last sync failed.
func TestRateLimitDeployment(t *testing.T) {
	m := NewMetrics()
	if _, ok := m.Deployment(); ok {
		t.Errorf("before any limit: a deployment view")
	}
	o := m.RateLimit()
	if _, ok := m.Deployment(); ok {
		t.Errorf("a limit without a store: a deployment view")
	}
	o.Shared("redis://:xxxxx@cache:6379/0")
	if d, ok := m.Deployment(); !ok || d != (Deployment{Store: "redis://:xxxxx@cache:6379/0"}) {
		t.Errorf("before the first sync: %+v %v, want the store alone", d, ok)
	}
	before := time.Now()
	steps := []struct {
		name            string
		err             error
		servers         int
		syncs, failures uint64
		fallback        bool
		lastErr         string
	}{
		{"a sync", nil, 3, 1, 0, false, ""},
		{"the store gone", errors.New("dial tcp: connection refused"), 0, 2, 1, true, "dial tcp: connection refused"},
		{"the store back", nil, 2, 3, 1, false, "dial tcp: connection refused"},
	}
	for _, s := range steps {
		o.Synced(time.Millisecond, s.err)
		if s.err == nil {
			o.Servers(s.servers)
		}
		d, _ := m.Deployment()
		want := 3
		if s.err == nil {
			want = s.servers
		}
		if d.Servers != want || d.Syncs != s.syncs || d.Failures != s.failures || d.Fallback != s.fallback || d.LastError != s.lastErr || d.LastSync.Before(before) {
			t.Errorf("%s: %+v; want %d servers, %d syncs, %d failures, fallback %v, last error %q, synced since the start",
				s.name, d, want, s.syncs, s.failures, s.fallback, s.lastErr)
		}
	}
}
