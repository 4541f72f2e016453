package stages

import (
	"cmp"
	"fmt"
	"log"

	"github.com/mothership-go/mothership/docking"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// stageBuilder builds one stage of a route, or returns nil when the route
// does not need it, so that a route pays only for the stages it uses.
type stageBuilder func(c *compiler, r *routetree.Route) (Stage, error)

// stageOrder is the fixed order of a route's stages: rate limit → shields
// → static → CORS → WASM → compression → forward. A new stage is one file
// with its builder, and its line here.
var stageOrder = []stageBuilder{
	buildRateLimit,
	buildShields,
	buildStatic,
	buildCORS,
	buildCompress,
	buildForward,
}

// pipeline is one route's compiled stages and the observer of its requests.
type pipeline struct {
	first Handler
	obs   RouteObserver
}

// compiler holds what building stages needs, and what routes share: the
// Transports (one per target address) and the copy buffers.
type compiler struct {
	resolve     func(manifest.Target) ([]manifest.Addr, error)
	upstreams   map[string]*manifest.Upstream
	transports  transports
	buffers     *bufferPool
	errorLog    *log.Logger
	shared      *sharedStages // the rate limiter and CORS cache all routes share (ratelimit.go)
	shields     []*manifest.Shield
	debug       DebugFunc    // nil unless debug logging is on
	static      *staticFiles // the static directories of every bind
	compression bool
	yard        *docking.Yard            // the berths of the fleet's bays
	bays        map[string]*manifest.Bay // by name
	attached    map[string]attachedBay   // docking upstreams that routes here use, by name; Serve keeps them docked
	events      func(level, msg string, kv ...any)
	recycle     func(bay string, pid int)
	software    string          // SERVER_SOFTWARE for bays
	webSockets  []*bayWebSocket // routes to WebSocket bays, which Shutdown closes gracefully
	// fingerprinted are the binds with a shields stage on some route: only
	// their connections record raw request heads (rawhead.go).
	fingerprinted map[string]bool
}

// newCompiler prepares what the routes of m will share.
func newCompiler(m *manifest.Manifest, tree *routetree.Tree, opts Options, obs Observer, tr transports, errorLog *log.Logger) (*compiler, error) {
	static, err := openStatic(m, tree)
	if err != nil {
		return nil, fmt.Errorf("stages: %w", err)
	}
	c := &compiler{
		resolve:     opts.Resolve,
		upstreams:   map[string]*manifest.Upstream{},
		transports:  tr,
		buffers:     &bufferPool{},
		errorLog:    errorLog,
		shared:      newSharedStages(&m.Mothership, obs),
		shields:     m.Mothership.Shields,
		debug:       opts.Debug,
		static:      static,
		compression: m.Mothership.Compression,
	}
	c.yard = opts.Yard
	if c.yard == nil {
		c.yard = docking.NewYard()
	}
	c.bays = map[string]*manifest.Bay{}
	for _, b := range m.Bays {
		c.bays[b.Name] = b
	}
	c.attached = map[string]attachedBay{}
	c.events = opts.Events
	c.fingerprinted = map[string]bool{}
	for _, u := range m.Mothership.Upstreams {
		c.upstreams[u.Name] = u
	}
	c.recycle = opts.RecycleWorker
	c.software = cmp.Or(opts.ServerSoftware, "mothership")
	return c, nil
}

// compile builds a route's stage slice in stageOrder and chains it.
func (c *compiler) compile(r *routetree.Route, obs Observer) (*pipeline, error) {
	var stages []Stage
	for _, build := range stageOrder {
		s, err := build(c, r)
		if err != nil {
			return nil, fmt.Errorf("%s (line %d): %w", r.Source.Pos.Key, r.Source.Pos.Line, err)
		}
		if s != nil {
			stages = append(stages, s)
		}
	}
	return &pipeline{first: chain(stages), obs: obs.Route(r)}, nil
}
