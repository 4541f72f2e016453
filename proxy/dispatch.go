package proxy

import (
	"time"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/useragent"
)

// route is one route's compiled pipeline and the observer of its requests.
type route struct {
	first pipeline.Handler
	obs   pipeline.RouteObserver
	// upstream is the route's target as the access log names it, formatted
	// once: "" for a bind's no-route chain.
	upstream string
}

// dispatcher serves one bind's exchanges: the engine's Handler.
type dispatcher struct {
	plan    *plan
	tree    *routetree.BindTree
	routes  []*route // by Route.Index
	noRoute route    // the fallbacks, then 404
	debug   pipeline.DebugFunc
	access  pipeline.AccessLogger // nil: no access log
	acme    *acme.Manager         // answers the CA's HTTP-01 requests on a plain bind; nil elsewhere
	// redirect sends every other request of a plain bind to HTTPS
	// (`redirect_https`); nil serves the routes.
	redirect *redirect
	// hsts is the Strict-Transport-Security value of a TLS bind, "" for none.
	hsts string
}

// Serve answers the CA's HTTP-01 challenges first, on a plain bind of a
// manifest with acme, then a plain bind's redirect to HTTPS; then it looks
// the route up, runs its pipeline, observes the answer and logs it to the
// access log; a request whose answer never began (the client left, the
// connection was cut) is observed as 499.
func (d *dispatcher) Serve(x *pipeline.Exchange) {
	start := x.Started()
	if d.acme != nil && acme.IsChallenge(x.Path) && d.acme.ServeChallenge(x) {
		if d.access != nil {
			d.access.Access(x, x.Response.Status(), time.Since(start), "acme")
		}
		return
	}
	if d.redirect != nil {
		d.redirect.serve(x)
		if d.access != nil {
			d.access.Access(x, x.Response.Status(), time.Since(start), "redirect https")
		}
		return
	}
	if d.hsts != "" {
		// Set before the route runs, so that every answer has it; a ship's
		// own is dropped on the way back (upstream's copyFields).
		x.Response.Header().Set("Strict-Transport-Security", d.hsts)
	}
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
	took := time.Since(start)
	rt.obs.Observe(status, took)
	if d.access != nil {
		d.access.Access(x, status, took, rt.upstream)
	}
}
