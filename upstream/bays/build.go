package bays

import (
	"cmp"
	"context"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// DefaultRequestTimeout bounds a request to a docking upstream, which has
// no request_timeout of its own, and to a bay that sets none.
const DefaultRequestTimeout = 30 * time.Second

// Options are what routes to bays need besides the manifest.
type Options struct {
	// Yard holds the berths of the fleet's bays (NewYard); nil answers
	// routes to bays with 502.
	Yard *docking.Yard
	// RecycleWorker ends a bay's worker (by pid) that is stuck on a request
	// past request_timeout; nil leaves it.
	RecycleWorker func(bay string, pid int)
	// ServerSoftware is what bays get as SERVER_SOFTWARE, such as
	// "mothership/v1.2.3"; "" means "mothership".
	ServerSoftware string
}

// Builder returns the builder of the stage that ends a route to a bay or
// to an upstream with protocol = "docking"; it returns nil for any other
// route, which the forward stage (upstream.Builder) ends.
func Builder(opts Options) pipeline.Builder {
	opts.ServerSoftware = cmp.Or(opts.ServerSoftware, "mothership")
	return func(b *pipeline.Build, r *routetree.Route) (pipeline.Stage, error) {
		return build(b, r, &opts)
	}
}

func build(b *pipeline.Build, r *routetree.Route, opts *Options) (pipeline.Stage, error) {
	timeout := DefaultRequestTimeout
	var berth *docking.Berth
	switch r.Target.Kind {
	case manifest.TargetBay:
		if opts.Yard != nil {
			berth = opts.Yard.Berth(r.Target.Name)
		}
		if berth == nil {
			// A server built without the fleet's yard (Options.Yard).
			return upstream.Refuse{Answer: pipeline.NewAnswer(http.StatusBadGateway, "502 bad gateway: bay "+r.Target.Name+" is not docked")}, nil
		}
		if bay := bayOf(b.Manifest, r.Target.Name); bay != nil {
			timeout = cmp.Or(bay.RequestTimeout, timeout)
		}
	case manifest.TargetUpstream:
		u := dockingUpstream(b.Manifest, r.Target.Name)
		if u == nil {
			return nil, nil
		}
		berth = attached(b, u)
	default:
		return nil, nil
	}
	edit := upstream.PathEditOf(r)
	if berth.Version() == docking.VersionWebSocket {
		return &webSocketBay{bay: passengersOf(b, berth), edit: edit, policy: upstream.PolicyOf(b, r)}, nil
	}
	return &httpBay{
		berth: berth, edit: edit, policy: upstream.PolicyOf(b, r), maxBody: maxBodyOf(b, r), timeout: timeout,
		recycle: opts.RecycleWorker, software: opts.ServerSoftware,
		errorLog: b.ErrorLog, name: upstream.RouteName(r),
	}, nil
}

// maxBodyOf is route r's max_body_size.
func maxBodyOf(b *pipeline.Build, r *routetree.Route) int64 {
	if b.Manifest == nil {
		return manifest.DefaultMaxBodySize
	}
	return b.Manifest.RulesOf(r.Bind, r.Source).MaxBodySize
}

// bayOf is the manifest's bay named name, or nil.
func bayOf(m *manifest.Manifest, name string) *manifest.Bay {
	for _, bay := range m.Bays {
		if bay.Name == name {
			return bay
		}
	}
	return nil
}

// dockingUpstream is the manifest's upstream named name when it is spoken
// to over docking, else nil.
func dockingUpstream(m *manifest.Manifest, name string) *manifest.Upstream {
	for _, u := range m.Mothership.Upstreams {
		if u.Name == name && u.Protocol == manifest.UpstreamDocking {
			return u
		}
	}
	return nil
}

// attachedKey keeps, in Build.Shared, the berths of docking upstreams by
// name: one per upstream however many routes go to it.
type attachedKey struct{}

// attached returns the berth of the docking upstream u, made the first
// time with a start job that keeps it docked on its socket until the
// server shuts down.
func attached(b *pipeline.Build, u *manifest.Upstream) *docking.Berth {
	v, _ := b.Shared(attachedKey{}, func() (any, error) { return map[string]*docking.Berth{}, nil })
	berths := v.(map[string]*docking.Berth)
	if berth := berths[u.Name]; berth != nil {
		return berth
	}
	berth := NewAttachedBerth(u.Name, b.Events)
	socket := u.Addrs[0].Address
	b.OnStart(func(ctx context.Context) { berth.Attach(ctx, socket) })
	berths[u.Name] = berth
	return berth
}

// passengersKey keeps, in Build.Shared, the clients of each WebSocket bay.
type passengersKey struct{}

// passengersOf returns the clients of the WebSocket bay at berth, made the
// first time with a drain job that sends them off.
func passengersOf(b *pipeline.Build, berth *docking.Berth) *passengers {
	v, _ := b.Shared(passengersKey{}, func() (any, error) { return map[*docking.Berth]*passengers{}, nil })
	all := v.(map[*docking.Berth]*passengers)
	if p := all[berth]; p != nil {
		return p
	}
	p := &passengers{berth: berth}
	b.OnDrain(p.unload)
	all[berth] = p
	return p
}
