package control

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/telemetry"
)

// Fleet is what Local needs of a *fleet.Fleet.
type Fleet interface {
	// Status is a snapshot of every ship and bay.
	Status() []fleet.ProcessStatus
	// Restart restarts one and waits until it is ready.
	Restart(ctx context.Context, name string) error
}

// Local is the Source of the mothership this process runs: its fleet, its
// metrics and the log lines its hub keeps.
type Local struct {
	fleet   Fleet
	metrics *telemetry.Metrics
	hub     *Hub
	started time.Time
	view    atomic.Pointer[manifestView] // what a reload replaces
	reload  func(context.Context) (string, error)
}

// manifestView is what Local reads of the manifest the fleet runs.
type manifestView struct {
	m      *manifest.Manifest
	routes map[string][]string // process → the routes that target it
}

// NewLocal returns the Source of fl, run from m: the phase, role, route
// and module counts come from metrics, the log from hub, and each
// process's routes from tree, m's compiled routing.
func NewLocal(fl Fleet, metrics *telemetry.Metrics, hub *Hub, m *manifest.Manifest, tree *routetree.Tree) *Local {
	l := &Local{fleet: fl, metrics: metrics, hub: hub, started: time.Now()}
	l.Update(m, tree)
	return l
}

// Update makes m, reloaded, the manifest Local reports on.
func (l *Local) Update(m *manifest.Manifest, tree *routetree.Tree) {
	v := &manifestView{m: m, routes: map[string][]string{}}
	for _, bt := range tree.Binds {
		for _, r := range bt.Routes {
			if r.Target.Kind == manifest.TargetShip || r.Target.Kind == manifest.TargetBay {
				// The matcher without its kind: "http /api/.*", short
				// enough for a column.
				_, path, _ := strings.Cut(r.PathMatcher(), " ")
				v.routes[r.Target.Name] = append(v.routes[r.Target.Name], r.Bind+" "+path)
			}
		}
	}
	l.view.Store(v)
}

// Status implements Source.
func (l *Local) Status(context.Context) (Status, error) {
	st := Status{
		Time:     time.Now(),
		Manifest: l.view.Load().m.File,
		PID:      os.Getpid(),
		Started:  l.started,
		Phase:    string(l.metrics.Phase()),
		Role:     l.metrics.Role(),
		Routes:   l.metrics.Routes(),
	}
	st.Modules = l.modules()
	if d, ok := l.metrics.Deployment(); ok {
		st.Deployment = deployment(d, st.Time)
	}
	for _, p := range l.fleet.Status() {
		st.Processes = append(st.Processes, Process{
			Name: p.Name, Group: p.Group, Kind: p.Kind, State: string(p.State), PID: p.PID,
			Healthy: p.Healthy, Restarts: p.Restarts, HealthRestarts: p.HealthRestarts, RSS: p.RSS, Since: p.Since, Routes: l.view.Load().routes[p.Name],
		})
	}
	return st, nil
}

// modules is every module of the manifest with its calls so far.
func (l *Local) modules() []Module {
	calls := map[string]telemetry.ModuleCounts{}
	for _, c := range l.metrics.Modules() {
		calls[c.Name] = c
	}
	m := l.view.Load().m
	out := make([]Module, len(m.Modules))
	for i, md := range m.Modules {
		c := calls[md.Name]
		phase := md.Phase
		if md.ABI == manifest.ABIHTTPWasm {
			phase = "both" // an http-wasm guest sees the request and the response
		}
		out[i] = Module{Name: md.Name, ABI: md.ABI, Phase: phase, Routes: len(md.Routes), Calls: c.Calls, Blocks: c.Blocks, Errors: c.Errors, LastError: c.LastError}
	}
	return out
}

// Logs implements Source over the hub.
func (l *Local) Logs(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error {
	return l.hub.Read(ctx, q, fn)
}

// Restart implements Source.
func (l *Local) Restart(ctx context.Context, name string) error { return l.fleet.Restart(ctx, name) }
