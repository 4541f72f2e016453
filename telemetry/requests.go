package telemetry

import (
	"time"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/prometheus/client_golang/prometheus"
)

var _ pipeline.Observer = (*Metrics)(nil)

// durationBuckets run from half a millisecond, a proxied request answered
// from a warm upstream pool, to ten seconds, past which a request is a
// timeout whatever the exact figure.
var durationBuckets = []float64{
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// statusClasses are the status_class values, indexed by statusClass.
// "other" catches what is not an HTTP status, such as a request that ended
// before any response was written.
var statusClasses = [...]string{"other", "1xx", "2xx", "3xx", "4xx", "5xx"}

func statusClass(status int) int {
	if status < 100 || status > 599 {
		return 0
	}
	return status / 100
}

// routeObserver holds one route's series, resolved when the route is
// compiled, so that Observe is two atomic updates without a label lookup.
type routeObserver struct {
	requests [len(statusClasses)]prometheus.Counter
	duration prometheus.Observer
	stat     *RouteStat
}

// Observe implements pipeline.RouteObserver.
func (o *routeObserver) Observe(status int, d time.Duration) {
	o.requests[statusClass(status)].Inc()
	o.duration.Observe(d.Seconds())
	o.stat.Observe(status, d)
}

// Route implements pipeline.Observer. The route label is the declaration
// index and the path matcher, as `chart` prints them: unique per route,
// stable while the manifest is, and short.
func (m *Metrics) Route(r *routetree.Route) pipeline.RouteObserver {
	return m.routeObserver(m.routes.Route(r))
}

// NoRoute implements pipeline.Observer; its requests carry the route "none".
func (m *Metrics) NoRoute(bind string) pipeline.RouteObserver {
	return m.routeObserver(m.routes.NoRoute(bind))
}

// Routes returns the counts of every route observed so far, in the order
// they were compiled: what the metrics count, for the dashboard.
func (m *Metrics) Routes() []RouteCounts { return m.routes.Snapshot() }

func (m *Metrics) routeObserver(stat *RouteStat) *routeObserver {
	o := &routeObserver{duration: m.duration.WithLabelValues(stat.bind, stat.route), stat: stat}
	for i, class := range statusClasses {
		o.requests[i] = m.requests.WithLabelValues(stat.bind, stat.route, class)
	}
	return o
}
