package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/proxy"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/stages"
	"github.com/mothership-go/mothership/stages/cors"
	"github.com/mothership-go/mothership/stages/wasm"
	"github.com/mothership-go/mothership/telemetry"
)

// requestPath is a run's proxy. Binds whose routes use only forwarding
// run on the mothership's own HTTP/1.1 engine (proxy/); binds that use a
// stage not yet moved onto it (shields, rate limiting, CORS, compression,
// static files, bays) stay on the net/http path of stages/ until it has.
type requestPath struct {
	own *proxy.Server  // nil when no bind runs on it
	std *stages.Server // nil when no bind needs it
}

// newRequestPath splits the binds between the two paths, logging which
// bind runs where and why, and builds both.
func newRequestPath(m *manifest.Manifest, tree *routetree.Tree, opts stages.Options, log *telemetry.Log, metrics *telemetry.Metrics) (*requestPath, error) {
	var own, std routetree.Tree
	for _, bt := range tree.Binds {
		if miss := proxy.Missing(m, bt); len(miss) > 0 {
			std.Binds = append(std.Binds, bt)
			log.Info("bind served by the net/http path", "bind", bt.Bind.Name, "because", strings.Join(miss, ", "))
			continue
		}
		own.Binds = append(own.Binds, bt)
		log.Info("bind served by the HTTP/1.1 engine", "bind", bt.Bind.Name)
	}
	if len(m.Modules) > 0 && len(std.Binds) > 0 {
		// A module that guards a path must not be skipped on some binds.
		return nil, fmt.Errorf("bind %q: WASM modules run only on binds the HTTP/1.1 engine serves, and this bind's %s keep it on the net/http path", std.Binds[0].Bind.Name, strings.Join(proxy.Missing(m, std.Binds[0]), ", "))
	}
	p := &requestPath{}
	if len(own.Binds) > 0 {
		s, err := proxy.New(m, &own, proxy.Options{
			Resolve:        opts.Resolve,
			TrustedProxies: opts.TrustedProxies,
			Observer:       observer{metrics},
			ErrorLog:       opts.ErrorLog,
			Debug:          opts.Debug,
			Events:         opts.Events,
		})
		if err != nil {
			return nil, err
		}
		p.own = s
	}
	// The net/http path also keeps docking upstreams attached, so it runs
	// whenever the manifest has any, even with no bind of its own.
	if len(std.Binds) > 0 || p.own == nil || hasDocking(m) {
		s, err := stages.New(m, &std, opts)
		if err != nil {
			return nil, err
		}
		p.std = s
	}
	return p, nil
}

func hasDocking(m *manifest.Manifest) bool {
	for _, u := range m.Mothership.Upstreams {
		if u.Protocol == manifest.UpstreamDocking {
			return true
		}
	}
	return false
}

// observer gives the metrics to the engine's pipelines: the method sets
// are the same, the interface types are the contract's.
type observer struct{ m *telemetry.Metrics }

func (o observer) Route(r *routetree.Route) pipeline.RouteObserver { return o.m.Route(r) }
func (o observer) NoRoute(bind string) pipeline.RouteObserver      { return o.m.NoRoute(bind) }
func (o observer) CORSCache() cors.Observer                        { return o.m.CORSCache() }
func (o observer) WasmModule(name string) wasm.Observer            { return o.m.WasmModule(name) }

// Listen opens every bind of both paths.
func (p *requestPath) Listen() error {
	if p.own != nil {
		if err := p.own.Listen(); err != nil {
			return err
		}
	}
	if p.std != nil {
		if err := p.std.Listen(); err != nil {
			if p.own != nil {
				p.own.Shutdown(context.Background())
			}
			return err
		}
	}
	return nil
}

// Serve serves both until Shutdown. When one fails, the other is shut
// down too and the failure returned.
func (p *requestPath) Serve() error {
	type result struct {
		err   error
		other func(context.Context) error
	}
	results := make(chan result, 2)
	n := 0
	if p.own != nil {
		n++
		go func() { results <- result{p.own.Serve(), p.stdShutdown} }()
	}
	if p.std != nil {
		n++
		go func() { results <- result{p.std.Serve(), p.ownShutdown} }()
	}
	var errs []error
	for range n {
		r := <-results
		if r.err != nil {
			errs = append(errs, r.err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			r.other(ctx)
			cancel()
		}
	}
	return errors.Join(errs...)
}

func (p *requestPath) ownShutdown(ctx context.Context) error {
	if p.own == nil {
		return nil
	}
	return p.own.Shutdown(ctx)
}

func (p *requestPath) stdShutdown(ctx context.Context) error {
	if p.std == nil {
		return nil
	}
	return p.std.Shutdown(ctx)
}

// Shutdown drains both at once.
func (p *requestPath) Shutdown(ctx context.Context) error {
	var own error
	done := make(chan struct{})
	go func() { own = p.ownShutdown(ctx); close(done) }()
	std := p.stdShutdown(ctx)
	<-done
	return errors.Join(own, std)
}
