package proxy

import (
	"time"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/useragent"
)

// route is one route's compiled pipeline and the observer of its requests.
type route struct {
	first pipeline.Handler
	obs   pipeline.RouteObserver
}

// dispatcher serves one bind's exchanges: the engine's Handler.
type dispatcher struct {
	plan    *plan
	tree    *routetree.BindTree
	routes  []*route // by Route.Index
	noRoute route    // the fallbacks, then 404
	debug   pipeline.DebugFunc
}

// Serve looks the route up, runs its pipeline and observes the answer; a
// request whose answer never began (the client left, the connection was
// cut) is observed as 499.
func (d *dispatcher) Serve(x *pipeline.Exchange) {
	start := time.Now()
	lookup := routetree.Request{Host: x.Host, Method: x.Method, Path: x.Path, UserAgent: x.UserAgent, Header: &x.Header}
	x.Route = d.tree.Lookup(&lookup)
	rt := &d.noRoute
	if x.Route != nil {
		rt = d.routes[x.Route.Index]
	}
	if d.debug != nil {
		d.debug("request", "method", x.Method, "path", x.Path, "ua", useragent.Classify(x.UserAgent).String(), "shields", string(x.JA4H()))
	}
	rt.first.Serve(x)
	status := x.Response.Status()
	if status == 0 {
		status = pipeline.StatusClientClosed
	}
	rt.obs.Observe(status, time.Since(start))
}
