package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// Options are what a Server needs besides the manifest and its routes.
type Options struct {
	// Resolve gives the addresses of a route's target. It is called once per
	// route, in New; an error makes the route answer 502 with its text.
	Resolve func(manifest.Target) ([]manifest.Addr, error)
	// TrustedProxies are the peers whose X-Forwarded-* headers are believed.
	TrustedProxies []netip.Prefix
	// Observer receives per-route counts and latencies; nil observes nothing.
	Observer Observer
	// ErrorLog receives net/http's own errors and failed forwards; nil
	// discards them.
	ErrorLog *log.Logger
	// Debug, when set, logs each request's method, path, UA class and JA4H.
	Debug func(msg string, kv ...any)
	// Yard holds the berths of the fleet's bays (bays.NewYard), which routes to
	// bays send their traffic to; nil answers those routes with 502.
	Yard *docking.Yard
	// RecycleWorker ends a bay's worker (by pid) that is stuck on a request
	// past request_timeout; nil leaves it.
	RecycleWorker func(bay string, pid int)
	// ServerSoftware is what bays get as SERVER_SOFTWARE, such as
	// "mothership/v1.2.3"; "" means "mothership".
	ServerSoftware string
	// Events receives the events of docking upstreams' links (level,
	// message, key-value pairs); nil drops them.
	Events func(level, msg string, kv ...any)
}

// Server serves every bind of a manifest: it routes each request through
// its route's compiled pipeline.
type Server struct {
	binds      []*bindServer
	byName     map[string]*bindServer
	transports transports
	upgrades   upgrades
	errorLog   *log.Logger
	// limits are read by Listen; tests shorten them before.
	limits limits

	mu        sync.Mutex
	listening bool
	// closing is set as Shutdown starts, so that Serve takes the accept
	// errors of the listeners it closes for what they are.
	closing atomic.Bool

	// attached are the docking upstreams, which Serve keeps docked until
	// Shutdown.
	attached   []attachedBay
	attachCtx  context.Context
	stopAttach context.CancelFunc
	attaching  sync.WaitGroup
	webSockets []*bayWebSocket
}

// attachedBay is a docking upstream: a bay the mothership did not launch,
// on its socket.
type attachedBay struct {
	berth  *docking.Berth
	socket string
}

// bindServer is one bind's listener and HTTP server.
type bindServer struct {
	bind   *manifest.Bind
	engine *engine
	http   *http.Server
	ln     net.Listener
	record bool // some route fingerprints requests: record raw heads
}

// New compiles every route's stage slice and prepares one server per bind
// of tree. It opens nothing; Listen does.
func New(m *manifest.Manifest, tree *routetree.Tree, opts Options) (*Server, error) {
	if opts.Resolve == nil {
		return nil, errors.New("stages: Options.Resolve is required")
	}
	obs := opts.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	errorLog := opts.ErrorLog
	if errorLog == nil {
		errorLog = log.New(io.Discard, "", 0)
	}
	s := &Server{
		byName:     map[string]*bindServer{},
		transports: transports{},
		errorLog:   errorLog,
		limits:     defaultLimits(),
	}
	c, err := newCompiler(m, tree, opts, obs, s.transports, errorLog)
	if err != nil {
		return nil, err
	}
	var pipes []*pipeline
	var errs []error
	for _, bt := range tree.Binds {
		for _, r := range bt.Routes {
			p, err := c.compile(r, obs)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if r.Index >= len(pipes) {
				pipes = slices.Grow(pipes, r.Index+1-len(pipes))[:r.Index+1]
			}
			pipes[r.Index] = p
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("stages: %w", err)
	}
	// Only the docking upstreams routes here use: the engine's path keeps
	// its own attached.
	s.attachCtx, s.stopAttach = context.WithCancel(context.Background())
	for _, a := range c.attached {
		s.attached = append(s.attached, a)
	}
	s.webSockets = c.webSockets
	for _, bt := range tree.Binds {
		b := &bindServer{bind: bt.Bind, engine: &engine{
			bind:     bt.Bind.Name,
			tree:     bt,
			pipes:    pipes,
			noRoute:  obs.NoRoute(bt.Bind.Name),
			trusted:  trustedProxies(opts.TrustedProxies),
			upgrades: &s.upgrades,
			static:   c.static.bind(bt.Bind.Name),
		}, record: c.fingerprinted[bt.Bind.Name]}
		s.binds = append(s.binds, b)
		s.byName[b.bind.Name] = b
	}
	return s, nil
}

// Listen opens every bind. It fails on the first bind that cannot listen (a
// port in use, say), naming it, and closes those it opened.
func (s *Server) Listen() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listening {
		return errors.New("stages: Listen called twice")
	}
	for i, b := range s.binds {
		ln, err := listen(b.bind, s.limits, b.record)
		if err != nil {
			for _, o := range s.binds[:i] {
				o.ln.Close()
			}
			return fmt.Errorf("stages: bind %q (%s): %w", b.bind.Name, b.bind.Addr, err)
		}
		b.ln = ln
		b.http = newHTTPServer(b.engine, s.limits, s.errorLog)
	}
	s.listening = true
	return nil
}

// Addr returns the address a bind listens on, or nil before Listen or for
// an unknown bind. With port 0 in the manifest, it tells the port chosen.
func (s *Server) Addr(bind string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.byName[bind]
	if b == nil || b.ln == nil {
		return nil
	}
	return b.ln.Addr()
}

// Serve serves every bind until Shutdown, and returns nil once Shutdown has
// closed the listeners (the drain goes on in Shutdown). If one bind fails
// for another reason, Serve closes every bind and returns that error.
func (s *Server) Serve() error {
	s.mu.Lock()
	listening := s.listening
	s.mu.Unlock()
	if !listening {
		return errors.New("stages: Serve called before Listen")
	}
	for _, a := range s.attached {
		s.attaching.Go(func() { a.berth.Attach(s.attachCtx, a.socket) })
	}
	errc := make(chan error, len(s.binds))
	for _, b := range s.binds {
		go func() {
			err := b.http.Serve(b.ln)
			if errors.Is(err, http.ErrServerClosed) || s.closing.Load() {
				err = nil
			} else if err != nil {
				err = fmt.Errorf("stages: bind %q: %w", b.bind.Name, err)
			}
			errc <- err
		}()
	}
	var first error
	for range s.binds {
		if err := <-errc; err != nil && first == nil {
			first = err
			for _, b := range s.binds {
				b.http.Close()
			}
		}
	}
	return first
}

// Shutdown stops accepting at once, lets in-flight requests finish until
// ctx ends and then cuts those that did not, and last closes the
// connections that were upgraded (WebSockets), which no drain would end.
// It returns ctx's error when the drain was cut short.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	listening := s.listening
	s.mu.Unlock()
	if !listening {
		return nil
	}
	s.closing.Store(true)
	errs := make([]error, len(s.binds))
	var wg sync.WaitGroup
	for i, b := range s.binds {
		wg.Go(func() {
			// Serve may not have run yet; the server only closes listeners
			// it serves, so close this one too.
			b.ln.Close()
			// Closing it again, when Serve runs, is no failure of the drain.
			if err := b.http.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
				b.http.Close()
				errs[i] = fmt.Errorf("stages: bind %q: drain cut short: %w", b.bind.Name, err)
			}
		})
	}
	wg.Wait()
	// WebSocket bays' clients get a close frame, and a moment to answer it,
	// before what is left is cut.
	unloadCtx, cancel := context.WithTimeout(ctx, closeWait)
	for _, w := range s.webSockets {
		w.unload(unloadCtx)
	}
	cancel()
	s.stopAttach()
	s.attaching.Wait()
	s.upgrades.closeAll()
	s.transports.closeIdle()
	return errors.Join(errs...)
}

// nopObserver stands in for a nil Options.Observer.
type nopObserver struct{}

func (nopObserver) Route(*routetree.Route) RouteObserver { return nopObserver{} }
func (nopObserver) NoRoute(string) RouteObserver         { return nopObserver{} }
func (nopObserver) Observe(int, time.Duration)           {}
