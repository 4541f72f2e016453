package proxy

import (
	"context"
	"errors"
	"io"
	"log"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// plan is one compiled routing plan: every route's pipeline and each
// bind's dispatcher over them, with the work its stages asked for at start
// and drain. A reload compiles a new plan and swaps it in; the old one
// lives on until the last request that started on it has ended.
type plan struct {
	gen    int64
	build  *pipeline.Build
	binds  map[string]*dispatcher
	routes int
	active atomic.Int64  // requests in flight on this plan
	idle   chan struct{} // closed once retired and without a request in flight

	mu      sync.Mutex
	started bool
	stop    context.CancelFunc // ends the start work
	starts  sync.WaitGroup
}

// compilePlan builds every route's stages and each bind's dispatcher.
func compilePlan(m *manifest.Manifest, tree *routetree.Tree, opts Options, gen int64) (*plan, error) {
	if opts.Resolve == nil {
		return nil, errors.New("proxy: Options.Resolve is required")
	}
	b := &pipeline.Build{Manifest: m, Tree: tree, Observer: opts.Observer, ErrorLog: opts.ErrorLog, Debug: opts.Debug, Events: opts.Events}
	if b.Observer == nil {
		b.Observer = pipeline.NopObserver{}
	}
	if b.ErrorLog == nil {
		b.ErrorLog = log.New(io.Discard, "", 0)
	}
	routes, err := compile(b, tree, order(opts, m.Mothership.Limits.RequestBuffer))
	if err != nil {
		return nil, err
	}
	p := &plan{gen: gen, build: b, binds: map[string]*dispatcher{}, idle: make(chan struct{})}
	for _, bt := range tree.Binds {
		noRoute, err := compileNoRoute(b, bt)
		if err != nil {
			return nil, err
		}
		d := &dispatcher{plan: p, tree: bt, routes: routes, noRoute: noRoute, debug: opts.Debug, access: opts.Access}
		if bt.Bind.TLS == nil {
			d.acme = opts.ACME
		}
		d.redirect, d.hsts = newRedirect(m, bt.Bind), bt.Bind.HSTS
		p.binds[bt.Bind.Name] = d
		p.routes += len(bt.Routes)
	}
	return p, nil
}

// start runs the work the plan's stages asked for at start, until shut.
func (p *plan) start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		return
	}
	p.started = true
	ctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	for _, f := range p.build.Starts() {
		p.starts.Go(func() { f(ctx) })
	}
}

// drain runs the plan's drain work within ctx, then ends its start work.
func (p *plan) drain(ctx context.Context) {
	drainCtx, cancel := context.WithTimeout(ctx, closeWait)
	for _, f := range p.build.Drains() {
		f(drainCtx)
	}
	cancel()
	p.mu.Lock()
	if p.stop != nil {
		p.stop()
	}
	p.mu.Unlock()
	p.starts.Wait()
}

// retirePoll is how often a retired plan looks whether its last request
// ended.
const retirePoll = 20 * time.Millisecond

// retire waits until no request is in flight on the plan (upgraded
// connections count until they close), or until done closes, then drains
// it.
func (p *plan) retire(done <-chan struct{}) {
	t := time.NewTicker(retirePoll)
	defer t.Stop()
	defer p.drain(context.Background())
	for p.active.Load() > 0 {
		select {
		case <-t.C:
		case <-done:
			return
		}
	}
	close(p.idle)
}

// handler is a bind's engine Handler: it serves each exchange with the
// bind's dispatcher in the plan current when the exchange began.
type handler struct {
	cur atomic.Pointer[dispatcher]
}

// Serve counts the exchange on the plan it runs on. The plan is read
// again after the count: a swap between the two reads means the exchange
// could have been missed by the old plan's retirement, so it moves on to
// the new plan instead.
func (h *handler) Serve(x *pipeline.Exchange) {
	for {
		d := h.cur.Load()
		d.plan.active.Add(1)
		if h.cur.Load() == d {
			serveOn(d, x)
			return
		}
		d.plan.active.Add(-1)
	}
}

// serveOn serves x with d, counted on d's plan until it returns.
func serveOn(d *dispatcher, x *pipeline.Exchange) {
	defer d.plan.active.Add(-1)
	d.Serve(x)
}
