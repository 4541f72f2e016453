package control

import (
	"context"
	"os"
	"strings"
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
	fleet    Fleet
	metrics  *telemetry.Metrics
	hub      *Hub
	manifest string
	started  time.Time
	routes   map[string][]string // process → the routes that target it
	modules  []Module            // the WASM modules as declared; Status adds their counts
}

// NewLocal returns the Source of fl, reading the phase, role, route and
// module counts from metrics and the log from hub; m is the manifest (its
// file and modules); tree is the compiled routing, for each process's
// routes.
func NewLocal(fl Fleet, metrics *telemetry.Metrics, hub *Hub, m *manifest.Manifest, tree *routetree.Tree) *Local {
	l := &Local{fleet: fl, metrics: metrics, hub: hub, manifest: m.File, started: time.Now(), routes: map[string][]string{}}
	for _, md := range m.Modules {
		phase := md.Phase
		if md.ABI == manifest.ABIHTTPWasm {
			phase = "both"
		}
		l.modules = append(l.modules, Module{Name: md.Name, ABI: md.ABI, Phase: phase, Routes: len(md.Routes)})
	}
	for _, bt := range tree.Binds {
		for _, r := range bt.Routes {
			if r.Target.Kind == manifest.TargetShip || r.Target.Kind == manifest.TargetBay {
				// The matcher without its kind: "http /api/.*", short
				// enough for a column.
				_, path, _ := strings.Cut(r.PathMatcher(), " ")
				l.routes[r.Target.Name] = append(l.routes[r.Target.Name], r.Bind+" "+path)
			}
		}
	}
	return l
}

// Status implements Source.
func (l *Local) Status(context.Context) (Status, error) {
	st := Status{
		Time:     time.Now(),
		Manifest: l.manifest,
		PID:      os.Getpid(),
		Started:  l.started,
		Phase:    string(l.metrics.Phase()),
		Role:     l.metrics.Role(),
		Routes:   l.metrics.Routes(),
	}
	for _, p := range l.fleet.Status() {
		st.Processes = append(st.Processes, Process{
			Name: p.Name, Group: p.Group, Kind: p.Kind, State: string(p.State), PID: p.PID,
			Healthy: p.Healthy, Restarts: p.Restarts, RSS: p.RSS, Since: p.Since, Routes: l.routes[p.Name],
		})
	}
	st.Modules = l.moduleCounts()
	return st, nil
}

// moduleCounts is every declared module with the counts the metrics have
// of it (none before the proxy is built).
func (l *Local) moduleCounts() []Module {
	counts := map[string]telemetry.ModuleCounts{}
	for _, c := range l.metrics.Modules() {
		counts[c.Name] = c
	}
	mods := make([]Module, len(l.modules))
	for i, md := range l.modules {
		c := counts[md.Name]
		md.Calls, md.Blocks, md.Errors, md.LastError = c.Calls, c.Blocks, c.Errors, c.LastError
		mods[i] = md
	}
	return mods
}

// Logs implements Source over the hub.
func (l *Local) Logs(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error {
	return l.hub.Read(ctx, q, fn)
}

// Restart implements Source.
func (l *Local) Restart(ctx context.Context, name string) error { return l.fleet.Restart(ctx, name) }
