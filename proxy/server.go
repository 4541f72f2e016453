package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/engine"
	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Options are what a Server needs besides the manifest and its routes.
type Options struct {
	// Resolve gives the addresses of a route's target, once per route in
	// New; an error makes the route answer 502 with its text.
	Resolve func(manifest.Target) ([]manifest.Addr, error)
	// Gate gives the routing state of the fleet's ship at an address (nil
	// when no ship binds it), once per route address in New; nil means no
	// address has one.
	Gate func(manifest.Addr) *shipgate.Gate
	// TrustedProxies are the peers whose X-Forwarded-* headers are believed.
	TrustedProxies []netip.Prefix
	// Observer receives per-route counts and latencies; nil observes nothing.
	Observer pipeline.Observer
	// ErrorLog receives what goes wrong on the request path; nil discards it.
	ErrorLog *log.Logger
	// Debug, when set, logs each request's method, path, UA class and JA4H.
	Debug pipeline.DebugFunc
	// Access, when set, gets every finished request: the access log.
	Access pipeline.AccessLogger
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
	// ACME has the certificates of the binds whose tls has acme, and
	// answers the CA's HTTP-01 challenges on the plain binds; nil when
	// the manifest has none.
	ACME *acme.Manager
}

// Server serves every bind of a manifest, on the routing plan that New
// compiled and that Swap replaces.
type Server struct {
	opts     Options
	limits   engine.Limits
	mu       sync.Mutex
	cur      *plan
	binds    []*bind
	byName   map[string]*bind
	started  bool
	retiring sync.WaitGroup // old plans and removed binds, until they end
	shut     chan struct{}  // closed by Shutdown: retirements stop waiting
	shutOnce sync.Once
}

// bind is one bind's listener and engine.
type bind struct {
	bind    *manifest.Bind
	engine  *engine.Server
	handler *handler
	certs   atomic.Pointer[certSource] // nil on a plain bind
	ln      net.Listener               // what the engine serves
	socket  net.Listener               // the bare socket under ln, for a reload to share
}

// certSource is where a TLS bind's handshakes get their certificates:
// files (engine.Certificates) or a CA (acme.Certificates).
type certSource struct {
	certs interface {
		Get(*tls.ClientHelloInfo) (*tls.Certificate, error)
		Leaves() []*x509.Certificate
	}
	acme bool // offer acme-tls/1 by ALPN, for the CA's TLS-ALPN-01
}

// New builds every route's pipeline and one engine per bind. It opens
// nothing; Listen does.
func New(m *manifest.Manifest, tree *routetree.Tree, opts Options) (*Server, error) {
	p, err := compilePlan(m, tree, opts, 1)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, cur: p, byName: map[string]*bind{}, limits: limitsOf(m.Mothership.Limits), shut: make(chan struct{})}
	for _, bt := range tree.Binds {
		bd, err := s.newBind(m, bt.Bind, p, s.limits)
		if err != nil {
			return nil, err
		}
		s.binds = append(s.binds, bd)
		s.byName[bt.Bind.Name] = bd
	}
	return s, nil
}

// newBind makes a bind's engine, serving p, with its certificates loaded.
func (s *Server) newBind(m *manifest.Manifest, mb *manifest.Bind, p *plan, limits engine.Limits) (*bind, error) {
	h := &handler{}
	h.cur.Store(p.binds[mb.Name])
	e := &engine.Server{Bind: mb.Name, Handler: h, Limits: limits, Trusted: s.opts.TrustedProxies, H2C: mb.H2C, ErrorLog: p.build.ErrorLog}
	bd := &bind{bind: mb, engine: e, handler: h}
	certs, err := loadCertificates(m, mb, s.opts.ACME, p.build.ErrorLog)
	if err != nil {
		return nil, err
	}
	bd.certs.Store(certs)
	return bd, nil
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
			routes[r.Index] = &route{first: pipeline.Chain(stages, pipeline.Unanswered), obs: b.Observer.Route(r), upstream: r.Target.String()}
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
		b.engine.Limits = s.limits // as a test may have changed them since New
		if err := b.listen(nil); err != nil {
			for _, o := range s.binds[:i] {
				o.ln.Close()
				o.ln, o.socket = nil, nil
			}
			return err
		}
	}
	return nil
}

// listen opens the bind's listener, TLS on a bind with certificates, on
// the socket share when it is set (see engine.Listen).
func (b *bind) listen(share net.Listener) error {
	ln, socket, err := engine.Listen(b.bind, readHeader(b.engine.Limits), share)
	if err != nil {
		return fmt.Errorf("proxy: bind %q (%s): %w", b.bind.Name, b.bind.Addr, err)
	}
	if cs := b.certs.Load(); cs != nil {
		var extra []string
		if cs.acme {
			extra = append(extra, engine.ALPNACME)
		}
		ln = engine.WrapTLS(ln, b.getCertificate, !b.bind.NoHTTP2, extra...)
	}
	b.ln, b.socket = ln, socket
	return nil
}

// getCertificate picks the handshake's certificate among the bind's
// current ones, which a reload may replace.
func (b *bind) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return b.certs.Load().certs.Get(hello)
}

// loadCertificates loads a TLS bind's certificates, or takes them from
// managed when its tls has acme; nil for a plain bind.
func loadCertificates(m *manifest.Manifest, b *manifest.Bind, managed *acme.Manager, errLog *log.Logger) (*certSource, error) {
	if b.TLS == nil {
		return nil, nil
	}
	if b.TLS.ACME != nil {
		c := managed.Certificates(b.Name)
		if c == nil {
			return nil, fmt.Errorf("proxy: bind %q (line %d): automatic certificates without an ACME manager", b.Name, b.TLS.Pos.Line)
		}
		return &certSource{certs: c, acme: true}, nil
	}
	files := make([]engine.CertFile, len(b.TLS.Certs))
	for i, c := range b.TLS.Certs {
		files[i] = engine.CertFile{Cert: m.Path(c.Cert), Key: m.Path(c.Key)}
	}
	certs, err := engine.LoadCertificates(files, errLog)
	if err != nil {
		return nil, fmt.Errorf("proxy: bind %q (line %d): %w", b.Name, b.TLS.Pos.Line, err)
	}
	return &certSource{certs: certs}, nil
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
		MaxConns:          l.MaxConnections,
		MaxConnsPerClient: l.MaxConnectionsPerClient,
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
// Binds a Swap opens later are served on their own; their failure is
// logged.
func (s *Server) Serve() error {
	s.mu.Lock()
	if s.started || len(s.binds) > 0 && s.binds[0].ln == nil {
		s.mu.Unlock()
		return errors.New("proxy: Serve needs one Listen first")
	}
	s.started = true
	s.cur.start()
	binds := slices.Clone(s.binds)
	s.mu.Unlock()
	errc := make(chan error, len(binds))
	for _, b := range binds {
		go func() { errc <- b.engine.Serve(b.ln) }()
	}
	var first error
	for range binds {
		if err := <-errc; err != nil && first == nil {
			first = err
			for _, b := range binds {
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
	s.mu.Lock()
	binds, cur := slices.Clone(s.binds), s.cur
	s.mu.Unlock()
	errs := make([]error, len(binds))
	var wg sync.WaitGroup
	for i, b := range binds {
		wg.Go(func() {
			errs[i] = b.engine.Shutdown(ctx)
			if b.ln != nil {
				b.ln.Close() // when Serve never ran, the engine did not know it
			}
		})
	}
	wg.Wait()
	s.shutOnce.Do(func() { close(s.shut) })
	cur.drain(ctx)
	s.retiring.Wait()
	for _, b := range binds {
		b.engine.CloseUpgraded()
	}
	return errors.Join(errs...)
}
