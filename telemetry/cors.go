package telemetry

import (
	"errors"

	"github.com/mothership-go/mothership/stages/cors"
	"github.com/prometheus/client_golang/prometheus"
)

var _ cors.Observers = (*Metrics)(nil)

// corsCounters are the CORS preflight cache's counters.
type corsCounters struct {
	hits, misses, stores, evictions prometheus.Counter
}

func (c *corsCounters) CORSCacheHit()      { c.hits.Inc() }
func (c *corsCounters) CORSCacheMiss()     { c.misses.Inc() }
func (c *corsCounters) CORSCacheStore()    { c.stores.Inc() }
func (c *corsCounters) CORSCacheEviction() { c.evictions.Inc() }

// CORSCache implements cors.Observers: the counters
// mothership_cors_cache_{hits,misses,stores,evictions}_total, registered on
// the first call (a server with the cache enabled) so that /metrics shows
// them only when there is a cache; later calls get the same counters.
func (m *Metrics) CORSCache() cors.Observer {
	counter := func(name, help string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "mothership_cors_cache_" + name + "_total", Help: help})
		if err := m.reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return are.ExistingCollector.(prometheus.Counter)
			}
			panic(err) // a name clash within the package: a bug
		}
		return c
	}
	return &corsCounters{
		hits:      counter("hits", "CORS preflights answered from the cache."),
		misses:    counter("misses", "CORS preflights the cache did not hold, passed to the backend."),
		stores:    counter("stores", "Backend answers to CORS preflights stored in the cache."),
		evictions: counter("evictions", "Cached CORS preflight answers dropped to stay within max_entries."),
	}
}
