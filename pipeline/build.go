package pipeline

import (
	"context"
	"log"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// DebugFunc logs a debug event: a message and key-value pairs, as
// telemetry.Log.Debug takes them.
type DebugFunc = func(msg string, kv ...any)

// Builder builds one stage of a route from the manifest, or returns nil
// when the route does not need it, so that a route pays only for the
// stages it uses. The proxy calls the builders in its fixed order for
// every route.
type Builder func(b *Build, r *routetree.Route) (Stage, error)

// Build is what builders read while a server's routes are compiled: the
// manifest and its compiled tree, where to observe and log, and a place
// for state that a stage's routes share (one rate limiter for all). It
// also collects what stages ask of the server: work at start and at
// drain.
type Build struct {
	// Manifest is the loaded manifest.
	Manifest *manifest.Manifest
	// Tree is its compiled routing tree.
	Tree *routetree.Tree
	// Observer receives per-route counts; never nil.
	Observer Observer
	// ErrorLog receives what goes wrong on the request path; never nil.
	ErrorLog *log.Logger
	// Debug logs debug events; nil when debug logging is off.
	Debug DebugFunc
	// Events receives structured events (level, message, key-values) of
	// background work such as docking; nil drops them.
	Events func(level, msg string, kv ...any)

	shared map[any]any
	starts []func(context.Context)
	drains []func(context.Context)
}

// Shared returns the value kept under key, making it with mk the first
// time. Builders keep their shared state here under a key type of their
// own, so that no stage edits a common struct.
func (b *Build) Shared(key any, mk func() (any, error)) (any, error) {
	if v, ok := b.shared[key]; ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return nil, err
	}
	if b.shared == nil {
		b.shared = map[any]any{}
	}
	b.shared[key] = v
	return v, nil
}

// OnStart asks for f to run when the server starts serving; ctx ends at
// shutdown (docking upstreams attach with it).
func (b *Build) OnStart(f func(ctx context.Context)) { b.starts = append(b.starts, f) }

// OnDrain asks for f to run at shutdown, once the engine has drained its
// requests and before upgraded connections are cut (WebSocket bays close
// their clients gracefully); f returns by the time ctx ends.
func (b *Build) OnDrain(f func(ctx context.Context)) { b.drains = append(b.drains, f) }

// Starts returns the work asked for at start, in order.
func (b *Build) Starts() []func(context.Context) { return b.starts }

// Drains returns the work asked for at drain, in order.
func (b *Build) Drains() []func(context.Context) { return b.drains }
