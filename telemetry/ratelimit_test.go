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
	a.Synced(2*time.Millisecond, nil)
	a.Synced(time.Second, errors.New("connection refused"))
	a.Servers(3)
	fams := scrape(t, serve(t, m.Handler()))
	for _, tc := range []struct {
		name, metric string
		labels       map[string]string
		want         float64
	}{
		{"per IP 429s", "mothership_ratelimit_limited_total", map[string]string{"limiter": "per_ip"}, 2},
		{"global 429s", "mothership_ratelimit_limited_total", map[string]string{"limiter": "global"}, 1},
		{"syncs", "mothership_ratelimit_syncs_total", map[string]string{}, 2},
		{"sync failures", "mothership_ratelimit_sync_failures_total", map[string]string{}, 1},
		{"live servers", "mothership_ratelimit_servers", map[string]string{}, 3},
	} {
		if got, ok := value(fams, tc.metric, tc.labels); !ok || got != tc.want {
			t.Errorf("%s: %s = %v (present %v), want %v", tc.name, tc.metric, got, ok, tc.want)
		}
	}
	if n := testing.AllocsPerRun(1000, func() { a.Limited(ratelimit.LimitGlobal) }); n != 0 {
		t.Errorf("Limited allocates %v times on the request path", n)
	}
}
