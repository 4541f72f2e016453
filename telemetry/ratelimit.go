package telemetry

import (
	"time"

	"github.com/mothership-go/mothership/stages/ratelimit"
	"github.com/prometheus/client_golang/prometheus"
)

var _ ratelimit.Observers = (*Metrics)(nil)

// rateLimitSeries are the rate-limit stage's series.
type rateLimitSeries struct {
	limited  [2]prometheus.Counter // by ratelimit.Limiter
	syncs    prometheus.Counter
	failures prometheus.Counter
	duration prometheus.Histogram
	servers  prometheus.Gauge
}

func (s *rateLimitSeries) Limited(l ratelimit.Limiter) { s.limited[l].Inc() }

func (s *rateLimitSeries) Synced(d time.Duration, err error) {
	s.syncs.Inc()
	s.duration.Observe(d.Seconds())
	if err != nil {
		s.failures.Inc()
	}
}

func (s *rateLimitSeries) Servers(n int) { s.servers.Set(float64(n)) }

// syncBuckets span a sync's round trip, from a local Redis to a slow one.
var syncBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25}

// RateLimit implements ratelimit.Observers:
// mothership_ratelimit_limited_total{limiter="global"|"per_ip"}, and for
// limits shared through a store mothership_ratelimit_syncs_total,
// mothership_ratelimit_sync_failures_total,
// mothership_ratelimit_sync_duration_seconds and
// mothership_ratelimit_servers (the live servers at the last sync).
// Registered on the first call, a server with a limit (the sync series
// stay at 0 without a store); later calls get the same series.
func (m *Metrics) RateLimit() ratelimit.Observer {
	limited := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "mothership_ratelimit_limited_total",
		Help: "Requests answered 429 by a rate limit, by limiter.",
	}, []string{"limiter"})
	s := &rateLimitSeries{
		syncs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mothership_ratelimit_syncs_total",
			Help: "Round trips of the rate-limit sync with the store, failed or not.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mothership_ratelimit_sync_failures_total",
			Help: "Rate-limit syncs the store did not answer; the limits fall back to a share of the last known servers.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mothership_ratelimit_sync_duration_seconds",
			Help:    "Time of one rate-limit sync's round trip with the store.",
			Buckets: syncBuckets,
		}),
		servers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mothership_ratelimit_servers",
			Help: "Live motherships sharing the rate limits, as the store counted them at the last sync.",
		}),
	}
	limited = register(m.reg, limited)
	for _, l := range []ratelimit.Limiter{ratelimit.LimitGlobal, ratelimit.LimitPerIP} {
		s.limited[l] = limited.WithLabelValues(l.String())
	}
	s.syncs = register(m.reg, s.syncs)
	s.failures = register(m.reg, s.failures)
	s.duration = register(m.reg, s.duration)
	s.servers = register(m.reg, s.servers)
	return s
}
