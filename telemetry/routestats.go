package telemetry

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/routetree"
)

// latencyBuckets is the number of latency buckets of a RouteStat: bucket i
// holds requests up to latencyBound(i), from 50 µs up by a quarter each,
// past a minute; the last also holds everything slower. A quarter keeps a
// percentile within 25 % of the truth, which is what a dashboard needs.
const latencyBuckets = 64

// latencyBounds are the buckets' upper bounds.
var latencyBounds = func() [latencyBuckets]time.Duration {
	var b [latencyBuckets]time.Duration
	f := float64(50 * time.Microsecond)
	for i := range b {
		b[i] = time.Duration(f)
		f *= 1.25
	}
	return b
}()

// RouteTable counts, per route, the requests by status class and their
// latencies, for the dashboard's Routes tab. Its Route and NoRoute have the
// proxy's route observer methods; Observe is two atomic adds, without a lock
// or an allocation.
type RouteTable struct {
	mu     sync.Mutex
	byKey  map[string]*RouteStat
	routes []*RouteStat // in the order the proxy compiled them
}

// NewRouteTable returns an empty table.
func NewRouteTable() *RouteTable { return &RouteTable{byKey: map[string]*RouteStat{}} }

// RouteStat is the counts of one route.
type RouteStat struct {
	bind, route, target string
	classes             [len(statusClasses)]atomic.Uint64
	latency             [latencyBuckets]atomic.Uint64
}

// Route returns the stat of a compiled route, labelled as the metrics
// label it: its declaration index and path matcher.
func (t *RouteTable) Route(r *routetree.Route) *RouteStat {
	return t.stat(r.Bind, "#"+strconv.Itoa(r.Index)+" "+r.PathMatcher(), r.Target.String())
}

// NoRoute returns the stat of the requests on bind that no route matched.
func (t *RouteTable) NoRoute(bind string) *RouteStat { return t.stat(bind, "none", "404") }

// stat returns the one stat of a bind's route, so that a route compiled
// again (a reload) keeps counting where it was.
func (t *RouteTable) stat(bind, route, target string) *RouteStat {
	t.mu.Lock()
	defer t.mu.Unlock()
	key := bind + "\x00" + route
	if s := t.byKey[key]; s != nil {
		return s
	}
	s := &RouteStat{bind: bind, route: route, target: target}
	t.byKey[key] = s
	t.routes = append(t.routes, s)
	return s
}

// Observe counts one request that ended with status after d.
func (s *RouteStat) Observe(status int, d time.Duration) {
	s.classes[statusClass(status)].Add(1)
	s.latency[latencyBucket(d)].Add(1)
}

// latencyBucket finds d's bucket by binary search: six comparisons.
func latencyBucket(d time.Duration) int {
	lo, hi := 0, latencyBuckets-1
	for lo < hi {
		mid := (lo + hi) / 2
		if d <= latencyBounds[mid] {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// RouteCounts is a snapshot of one route's counts since the start.
type RouteCounts struct {
	// Bind, Route and Target name the route; Route is "none" for the
	// requests no route matched.
	Bind   string `json:"bind"`
	Route  string `json:"route"`
	Target string `json:"target"`
	// Classes counts requests by status class: other, 1xx, … 5xx.
	Classes [len(statusClasses)]uint64 `json:"classes"`
	// Latency counts requests by latency bucket.
	Latency [latencyBuckets]uint64 `json:"latency"`
}

// StatusClasses names RouteCounts.Classes' entries.
func StatusClasses() []string { return statusClasses[:] }

// Snapshot returns every route's counts, in the order they were compiled.
func (t *RouteTable) Snapshot() []RouteCounts {
	t.mu.Lock()
	routes := t.routes
	t.mu.Unlock()
	out := make([]RouteCounts, len(routes))
	for i, s := range routes {
		c := RouteCounts{Bind: s.bind, Route: s.route, Target: s.target}
		for j := range s.classes {
			c.Classes[j] = s.classes[j].Load()
		}
		for j := range s.latency {
			c.Latency[j] = s.latency[j].Load()
		}
		out[i] = c
	}
	return out
}

// Minus returns the counts of c that came after prev, an earlier snapshot
// of the same route.
func (c RouteCounts) Minus(prev RouteCounts) RouteCounts {
	for i := range c.Classes {
		c.Classes[i] -= prev.Classes[i]
	}
	for i := range c.Latency {
		c.Latency[i] -= prev.Latency[i]
	}
	return c
}

// Total is the number of requests counted.
func (c RouteCounts) Total() uint64 {
	var n uint64
	for _, v := range c.Classes {
		n += v
	}
	return n
}

// Quantile is the latency that a fraction q of the requests stayed under,
// as the upper bound of its bucket; 0 without requests.
func (c RouteCounts) Quantile(q float64) time.Duration {
	total := c.Total()
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i, n := range c.Latency {
		if seen += n; seen >= rank {
			return latencyBounds[i]
		}
	}
	return latencyBounds[latencyBuckets-1]
}
