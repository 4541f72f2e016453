package proxy

import (
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/stages/compress"
	"github.com/mothership-go/mothership/stages/cors"
	"github.com/mothership-go/mothership/stages/limits"
	"github.com/mothership-go/mothership/stages/ratelimit"
	"github.com/mothership-go/mothership/stages/robots"
	"github.com/mothership-go/mothership/stages/shields"
	"github.com/mothership-go/mothership/stages/static"
	"github.com/mothership-go/mothership/stages/wasm"
	"github.com/mothership-go/mothership/upstream"
	"github.com/mothership-go/mothership/upstream/bays"
)

// order is the fixed order of a route's stages: limits → robots.txt →
// rate limit → shields → static → CORS → WASM → compression → bays →
// forward. Each
// builder returns nil for a route that does not need its stage. A new
// stage is a package with its builder, and its line here.
func order(opts Options, requestBuffer int) []pipeline.Builder {
	return []pipeline.Builder{
		limits.Build,
		robots.Build,
		ratelimit.Build,
		shields.Build,
		static.Build,
		cors.Build,
		wasm.Build,
		compress.Build,
		bays.Builder(bays.Options{Yard: opts.Yard, RecycleWorker: opts.RecycleWorker, ServerSoftware: opts.ServerSoftware}),
		upstream.Builder(upstream.Options{Resolve: opts.Resolve, Gate: opts.Gate, RequestBuffer: requestBuffer}),
	}
}

// fallbackBuilder builds a stage that a bind's requests matching no route
// go through, or returns nil when the bind does not need it.
type fallbackBuilder func(b *pipeline.Build, bt *routetree.BindTree) (pipeline.Stage, error)

// fallbacks are, in order, what a request that matches no route goes
// through before the 404: the same limits, rate limit and shields as a
// route of its bind (a static-only site is limited too), robots.txt and
// the static directories.
var fallbacks = []fallbackBuilder{
	onBind(limits.Build),
	robots.Fallback,
	onBind(ratelimit.Build),
	onBind(shields.Build),
	static.Fallback,
}

// onBind builds a route's stage for the requests of a bind that match no
// route: as for a route of that bind with no settings of its own.
func onBind(build pipeline.Builder) fallbackBuilder {
	return func(b *pipeline.Build, bt *routetree.BindTree) (pipeline.Stage, error) {
		return build(b, &routetree.Route{Bind: bt.Bind.Name})
	}
}
