package telemetry

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/stages/ratelimit"
	"github.com/prometheus/client_golang/prometheus"
)

var _ ratelimit.Observers = (*Metrics)(nil)

// rateLimits is a Metrics' one set of rate-limit series, made on the
// first RateLimit call.
type rateLimits struct {
	once   sync.Once
	series atomic.Pointer[rateLimitSeries] // read by Deployment at any time
}

// rateLimitSeries are the rate-limit stage's series, and the deployment
// view that `status` shows, kept beside them.
type rateLimitSeries struct {
	limited   *prometheus.CounterVec
	byLimiter [2]prometheus.Counter // by ratelimit.Limiter
	syncs     prometheus.Counter
	failures  prometheus.Counter
	duration  prometheus.Histogram
	servers   prometheus.Gauge

	store                 atomic.Pointer[string]
	syncCount, failCount  atomic.Uint64
	serverCount, lastSync atomic.Int64 // lastSync in Unix nanoseconds
	fallback              atomic.Bool
	lastError             atomic.Pointer[string]
}

func (s *rateLimitSeries) Limited(l ratelimit.Limiter) { s.byLimiter[l].Inc() }

// Rule is limiter="shield", rule=name.
func (s *rateLimitSeries) Rule(name string) ratelimit.Counter {
	return s.limited.WithLabelValues("shield", name)
}

func (s *rateLimitSeries) Shared(url string) { s.store.Store(&url) }

func (s *rateLimitSeries) Synced(d time.Duration, err error) {
	s.syncs.Inc()
	s.duration.Observe(d.Seconds())
	s.syncCount.Add(1)
	s.lastSync.Store(time.Now().UnixNano())
	s.fallback.Store(err != nil)
	if err != nil {
		s.failures.Inc()
		s.failCount.Add(1)
		msg := err.Error()
		s.lastError.Store(&msg)
	}
}

func (s *rateLimitSeries) Servers(n int) {
	s.servers.Set(float64(n))
	s.serverCount.Store(int64(n))
}

// syncBuckets span a sync's round trip, from a local Redis to a slow one.
var syncBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25}

// RateLimit implements ratelimit.Observers:
// mothership_ratelimit_limited_total{limiter="global"|"per_ip"|"shield",rule}
// (rule names a shield rule, "" for the others), and for limits shared
// through a store mothership_ratelimit_syncs_total,
// mothership_ratelimit_sync_failures_total,
// mothership_ratelimit_sync_duration_seconds and
// mothership_ratelimit_servers (the live servers at the last sync).
// Registered on the first call, a server with a limit (the sync series
// stay at 0 without a store); later calls (a reload) count on in the same
// series.
func (m *Metrics) RateLimit() ratelimit.Observer {
	m.rateLimits.once.Do(func() { m.rateLimits.series.Store(newRateLimitSeries(m.reg)) })
	return m.rateLimits.series.Load()
}

func newRateLimitSeries(reg *prometheus.Registry) *rateLimitSeries {
	s := &rateLimitSeries{
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mothership_ratelimit_limited_total",
			Help: "Requests answered by a rate limit (429) or by a shield rule over its rate, by limiter and rule.",
		}, []string{"limiter", "rule"}),
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
	reg.MustRegister(s.limited, s.syncs, s.failures, s.duration, s.servers)
	for _, l := range []ratelimit.Limiter{ratelimit.LimitGlobal, ratelimit.LimitPerIP} {
		s.byLimiter[l] = s.limited.WithLabelValues(l.String(), "")
	}
	return s
}

// Deployment is what this server knows of the deployment it shares its
// rate limits with, as of its last sync with the store.
type Deployment struct {
	// Store is the store's URL, without its password.
	Store string
	// Servers is the live servers the store counted at the last sync
	// that reached it; 0 before the first.
	Servers int
	// LastSync is when the last sync ended, reached or not; zero before
	// the first.
	LastSync time.Time
	// Syncs and Failures count the syncs' round trips and those that
	// failed.
	Syncs, Failures uint64
	// Fallback is true while the store is unreachable (the last sync
	// failed): each server limits to its share of the last Servers.
	Fallback bool
	// LastError is the last failed sync's error; "" if none failed.
	LastError string
}

// Deployment returns the deployment view, and false when no limit is
// shared through a store.
func (m *Metrics) Deployment() (Deployment, bool) {
	s := m.rateLimits.series.Load()
	if s == nil || s.store.Load() == nil {
		return Deployment{}, false
	}
	d := Deployment{
		Store: *s.store.Load(), Servers: int(s.serverCount.Load()),
		Syncs: s.syncCount.Load(), Failures: s.failCount.Load(), Fallback: s.fallback.Load(),
	}
	if ns := s.lastSync.Load(); ns != 0 {
		d.LastSync = time.Unix(0, ns)
	}
	if e := s.lastError.Load(); e != nil {
		d.LastError = *e
	}
	return d, true
}
