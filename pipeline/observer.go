package pipeline

import (
	"time"

	"github.com/mothership-go/mothership/routetree"
)

// Observer receives per-route request counts and latencies. Route is called
// once per route when the pipeline is compiled, so that the hot path only
// calls the RouteObserver it returned, without a label lookup.
type Observer interface {
	// Route returns the observer of one route.
	Route(r *routetree.Route) RouteObserver
	// NoRoute returns the observer of requests that matched no route.
	NoRoute(bind string) RouteObserver
}

// RouteObserver records one finished request. It must not allocate.
type RouteObserver interface {
	Observe(status int, d time.Duration)
}

// NopObserver observes nothing; it stands in for a nil Observer.
type NopObserver struct{}

// Route returns NopObserver.
func (NopObserver) Route(*routetree.Route) RouteObserver { return NopObserver{} }

// NoRoute returns NopObserver.
func (NopObserver) NoRoute(string) RouteObserver { return NopObserver{} }

// Observe does nothing.
func (NopObserver) Observe(int, time.Duration) {}
