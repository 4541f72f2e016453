package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/engine"
	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Options are what a Server needs besides the manifest and its routes.
type Options struct {
	// Resolve gives the addresses of a route's target, once per route in
	// New; an error makes the route answer 502 with its text.
	Resolve func(manifest.Target) ([]manifest.Addr, error)
	// TrustedProxies are the peers whose X-Forwarded-* headers are believed.
	TrustedProxies []netip.Prefix
	// Observer receives per-route counts and latencies; nil observes nothing.
	Observer pipeline.Observer
	// ErrorLog receives what goes wrong on the request path; nil discards it.
	ErrorLog *log.Logger
	// Debug, when set, logs each request's method, path, UA class and JA4H.
	Debug pipeline.DebugFunc
	// Events receives structured events of background work (docking
	// links); nil drops them.
	Events func(level, msg string, kv ...any)
	// Yard holds the berths of the fleet's bays, which routes to bays send
	// their traffic to; nil answers those routes with 502.
	Yard *docking.Yard
	// RecycleWorker ends a bay's worker (by pid) that is stuck on a request
	// past request_timeout; nil leaves it.
	RecycleWorker func(bay string, pid int)
	// ServerSoftware is what bays get as SERVER_SOFTWARE; "" means
	// "mothership".
	ServerSoftware string
}

// Server serves every bind of a manifest.
type Server struct {
	build   *pipeline.Build
	binds   []*bind
	byName  map[string]*bind
	limits  engine.Limits
	mu      sync.Mutex
	started bool
	stop    context.CancelFunc
	starts  sync.WaitGroup // the stages' start work, which ends with stop
}

// bind is one bind's listener and engine.
type bind struct {
	bind   *manifest.Bind
	engine *engine.Server
	certs  *engine.Certificates // nil on a plain bind
	ln     net.Listener
}

// New builds every route's pipeline and one engine per bind. It opens
// nothing; Listen does.
func New(m *manifest.Manifest, tree *routetree.Tree, opts Options) (*Server, error) {
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
	s := &Server{build: b, byName: map[string]*bind{}, limits: limitsOf(m.Mothership.Limits)}
	for _, bt := range tree.Binds {
		name := bt.Bind.Name
		noRoute, err := compileNoRoute(b, bt)
		if err != nil {
			return nil, err
		}
		d := &dispatcher{tree: bt, routes: routes, noRoute: noRoute, debug: opts.Debug}
		e := &engine.Server{Bind: name, Handler: d, Limits: s.limits, Trusted: opts.TrustedProxies, ErrorLog: b.ErrorLog}
		bd := &bind{bind: bt.Bind, engine: e}
		if bd.certs, err = loadCertificates(m, bt.Bind, b.ErrorLog); err != nil {
			return nil, err
		}
		s.binds = append(s.binds, bd)
		s.byName[name] = bd
	}
	return s, nil
}

// compile builds every route's stages in order and chains them.
func compile(b *pipeline.Build, tree *routetree.Tree, builders []pipeline.Builder) ([]*route, error) {
	var routes []*route
	var errs []error
	for _, bt := range tree.Binds {
		for _, r := range bt.Routes {
			var stages []pipeline.Stage
			for _, build := range builders {
				st, err := build(b, r)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s (line %d): %w", r.Source.Pos.Key, r.Source.Pos.Line, err))
					break
				}
				if st != nil {
					stages = append(stages, st)
				}
			}
			if r.Index >= len(routes) {
				routes = slices.Grow(routes, r.Index+1-len(routes))[:r.Index+1]
			}
			routes[r.Index] = &route{first: pipeline.Chain(stages, pipeline.Unanswered), obs: b.Observer.Route(r)}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return routes, nil
}

// compileNoRoute chains what a bind's requests that match no route go
// through (static directories), ending in the 404.
func compileNoRoute(b *pipeline.Build, bt *routetree.BindTree) (route, error) {
	var stages []pipeline.Stage
	for _, build := range fallbacks {
		st, err := build(b, bt)
		if err != nil {
			return route{}, fmt.Errorf("proxy: bind %q: %w", bt.Bind.Name, err)
		}
		if st != nil {
			stages = append(stages, st)
		}
	}
	return route{first: pipeline.Chain(stages, pipeline.AnswerHandler{Answer: pipeline.AnswerNoRoute}), obs: b.Observer.NoRoute(bt.Bind.Name)}, nil
}

// Listen opens every bind. It fails on the first bind that cannot listen,
// naming it, and closes those it opened.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range s.binds {
		ln, err := engine.Listen(b.bind, readHeader(s.limits))
		if err != nil {
			for _, o := range s.binds[:i] {
				o.ln.Close()
				o.ln = nil
			}
			return fmt.Errorf("proxy: bind %q (%s): %w", b.bind.Name, b.bind.Addr, err)
		}
		if b.certs != nil {
			ln = engine.WrapTLS(ln, b.certs)
		}
		b.ln = ln
		b.engine.Limits = s.limits // as a test may have changed them since New
	}
	return nil
}

// loadCertificates loads a TLS bind's certificates; nil for a plain bind.
func loadCertificates(m *manifest.Manifest, b *manifest.Bind, errLog *log.Logger) (*engine.Certificates, error) {
	if b.TLS == nil {
		return nil, nil
	}
	files := make([]engine.CertFile, len(b.TLS.Certs))
	for i, c := range b.TLS.Certs {
		files[i] = engine.CertFile{Cert: m.Path(c.Cert), Key: m.Path(c.Key)}
	}
	certs, err := engine.LoadCertificates(files, errLog)
	if err != nil {
		return nil, fmt.Errorf("proxy: bind %q (line %d): %w", b.Name, b.TLS.Pos.Line, err)
	}
	return certs, nil
}

func readHeader(l engine.Limits) time.Duration {
	if l.ReadHeaderTimeout > 0 {
		return l.ReadHeaderTimeout
	}
	return engine.DefaultReadHeaderTimeout
}

// limitsOf maps `[mothership.limits]` to the engine's limits; zero fields
// stay zero and take the engine's defaults.
func limitsOf(l manifest.Limits) engine.Limits {
	return engine.Limits{
		ReadHeaderTimeout: l.HeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
		BodyTimeout:       l.BodyTimeout,
		SendTimeout:       l.SendTimeout,
		Head:              h1.Limits{MaxTarget: l.MaxTarget, MaxHeaderBytes: l.MaxHeaderBytes, MaxFields: l.MaxHeaderFields},
	}
}

// Addr returns the address a bind listens on, or nil before Listen or for
// an unknown bind.
func (s *Server) Addr(name string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.byName[name]
	if b == nil || b.ln == nil {
		return nil
	}
	return b.ln.Addr()
}

// Serve runs the work stages asked for at start, then serves every bind
// until Shutdown, and returns nil once Shutdown closed the listeners. If
// one bind fails otherwise, Serve closes them all and returns its error.
func (s *Server) Serve() error {
	s.mu.Lock()
	if s.started || len(s.binds) > 0 && s.binds[0].ln == nil {
		s.mu.Unlock()
		return errors.New("proxy: Serve needs one Listen first")
	}
	s.started = true
	ctx, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.mu.Unlock()
	for _, f := range s.build.Starts() {
		s.starts.Go(func() { f(ctx) })
	}
	errc := make(chan error, len(s.binds))
	for _, b := range s.binds {
		go func() { errc <- b.engine.Serve(b.ln) }()
	}
	var first error
	for range s.binds {
		if err := <-errc; err != nil && first == nil {
			first = err
			for _, b := range s.binds {
				b.ln.Close()
			}
		}
	}
	return first
}

// closeWait is how long stages' drain work (WebSocket bays saying goodbye)
// may take at most, within the shutdown's own deadline.
const closeWait = 2 * time.Second

// Shutdown drains every bind until ctx ends, runs the stages' drain work,
// then closes the upgraded connections that are left.
func (s *Server) Shutdown(ctx context.Context) error {
	errs := make([]error, len(s.binds))
	var wg sync.WaitGroup
	for i, b := range s.binds {
		wg.Go(func() {
			errs[i] = b.engine.Shutdown(ctx)
			if b.ln != nil {
				b.ln.Close() // when Serve never ran, the engine did not know it
			}
		})
	}
	wg.Wait()
	drainCtx, cancel := context.WithTimeout(ctx, closeWait)
	for _, f := range s.build.Drains() {
		f(drainCtx)
	}
	cancel()
	s.mu.Lock()
	if s.stop != nil {
		s.stop()
	}
	s.mu.Unlock()
	s.starts.Wait()
	for _, b := range s.binds {
		b.engine.CloseUpgraded()
	}
	return errors.Join(errs...)
}
