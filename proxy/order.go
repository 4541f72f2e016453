package proxy

import (
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/stages/cors"
	"github.com/mothership-go/mothership/stages/ratelimit"
	"github.com/mothership-go/mothership/stages/shields"
	"github.com/mothership-go/mothership/upstream"
	"github.com/mothership-go/mothership/upstream/bays"
)

// order is the fixed order of a route's stages: rate limit → shields →
// static → CORS → (WASM goes here) → compression → bays → forward. Each
// builder returns nil for a route that does not need its stage. A new
// stage is a package with its builder, and its line here.
func order(opts Options, requestBuffer int) []pipeline.Builder {
	return []pipeline.Builder{
		ratelimit.Build,
		shields.Build,
		// static goes here; it still runs on the net/http path
		cors.Build,
		// (WASM); compression still runs on the net/http path (stages/):
		// Missing keeps its binds there.
		bays.Builder(bays.Options{Yard: opts.Yard, RecycleWorker: opts.RecycleWorker, ServerSoftware: opts.ServerSoftware}),
		upstream.Builder(upstream.Options{Resolve: opts.Resolve, RequestBuffer: requestBuffer}),
	}
}
