package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// Server serves HTTP/1.1 on the listeners given to Serve, handing every
// request to Handler.
type Server struct {
	// Bind is the name of the bind, as the exchanges carry it.
	Bind string
	// Handler serves every exchange.
	Handler pipeline.Handler
	// Limits bound what a connection may cost; zero fields take the
	// defaults.
	Limits Limits
	// Trusted are the peers whose X-Forwarded-* headers are believed.
	Trusted TrustedProxies
	// H2C makes a plain bind take HTTP/2 with prior knowledge: a
	// connection that opens with the HTTP/2 preface is served as HTTP/2
	// (TLS connections choose HTTP/2 by ALPN instead, see WrapTLS).
	H2C bool
	// ErrorLog receives accept errors and failed writes; nil discards them.
	ErrorLog *log.Logger

	once     sync.Once
	limits   Limits
	draining atomic.Bool
	graceEnd atomic.Int64    // unix nanoseconds: idle connections close after it (idleGrace)
	hard     context.Context // ends when the drain is cut short
	cut      context.CancelFunc
	active   sync.WaitGroup

	slots     chan struct{} // one per connection served: see caps.go
	stop      chan struct{} // closed when the drain begins, to wake Serve
	mu        sync.Mutex
	perClient map[netip.Addr]int
	conns     map[*conn]struct{}
	listeners map[net.Listener]struct{}
	upgraded  map[net.Conn]struct{}
	closed    bool // CloseUpgraded ran: upgrades from now on are closed at once
}

func (s *Server) init() {
	s.once.Do(func() {
		s.limits = s.Limits.orDefaults()
		s.hard, s.cut = context.WithCancel(context.Background())
		s.slots = make(chan struct{}, s.limits.MaxConns)
		s.stop = make(chan struct{})
		s.perClient = map[netip.Addr]int{}
		s.conns = map[*conn]struct{}{}
		s.listeners = map[net.Listener]struct{}{}
		s.upgraded = map[net.Conn]struct{}{}
		if s.ErrorLog == nil {
			s.ErrorLog = log.New(io.Discard, "", 0)
		}
	})
}

// Serve accepts connections on ln until Shutdown, and returns nil once
// Shutdown closed it; any other accept failure that lasts is returned.
func (s *Server) Serve(ln net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.draining.Load() {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners[ln] = struct{}{}
	// The drain waits for this loop too: a connection its last Accept
	// returned is served, and track may count it while this count holds.
	s.active.Add(1)
	s.mu.Unlock()
	defer s.active.Done()
	var backoff time.Duration
	for {
		select {
		case s.slots <- struct{}{}: // at the cap, wait here: see caps.go
		case <-s.stop:
			return nil
		}
		nc, err := ln.Accept()
		if err != nil {
			<-s.slots
			if s.draining.Load() {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errTemporary(err)) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.ErrorLog.Printf("engine: bind %q: accept: %v; retrying in %v", s.Bind, err, backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("engine: bind %q: accept: %w", s.Bind, err)
		}
		backoff = 0
		c := newConn(s, nc)
		s.track(c)
		go c.serve()
	}
}

// errTemporary returns err when it is one of the accept errors that pass
// (too many open files, a connection reset before it was accepted), so that
// Serve keeps going; nil otherwise.
func errTemporary(err error) error {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && t.Temporary() {
		return err
	}
	return nil
}

// track registers a new connection. One accepted as the drain began is
// served too, its answer with Connection: close: its listener may share
// its socket with a bind that a reload opened, and closing it unserved
// would reset a client that only connected.
func (s *Server) track(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns[c] = struct{}{}
	s.active.Add(1)
}

func (s *Server) untrack(c *conn) {
	s.leaveClient(c)
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	<-s.slots
	s.active.Done()
}

// idleGrace is how long a drain keeps idle keep-alive connections open:
// a client may have sent its next request already, and closing the
// connection under it would lose that request. Requests that arrive in
// the grace are answered with Connection: close; the connections still
// idle after it are closed.
const idleGrace = time.Second

// Shutdown stops accepting, lets busy connections finish their exchange
// and idle ones take a last request for idleGrace (each answered with
// Connection: close), closes those still idle after it, and when ctx ends
// first, cuts what is left and returns ctx's error. Upgraded connections
// are left to CloseUpgraded.
func (s *Server) Shutdown(ctx context.Context) error {
	s.StopAccepting(ctx)
	graceEnd := time.Unix(0, s.graceEnd.Load())
	done := make(chan struct{})
	go func() { s.active.Wait(); close(done) }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if !time.Now().Before(graceEnd) {
			s.closeIdle()
		}
		select {
		case <-done:
			return nil
		case <-tick.C:
		case <-ctx.Done():
			s.cut()
			s.mu.Lock()
			for c := range s.conns {
				c.nc.Close()
			}
			s.mu.Unlock()
			<-done
			return fmt.Errorf("engine: bind %q: drain cut short: %w", s.Bind, ctx.Err())
		}
	}
}

// StopAccepting begins the drain that Shutdown waits for: when it
// returns, the listeners given to Serve are closed (a connect to them is
// refused) and Serve returns nil; a listener given to Serve later is closed
// at once. ctx's deadline bounds the idle grace as in Shutdown, which,
// called after it, keeps the grace that StopAccepting set.
func (s *Server) StopAccepting(ctx context.Context) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	grace := idleGrace
	if dl, ok := ctx.Deadline(); ok {
		grace = min(grace, time.Until(dl)/2)
	}
	// The grace end goes first: a connection that sees the drain reads it.
	s.graceEnd.CompareAndSwap(0, time.Now().Add(grace).UnixNano())
	if !s.draining.Swap(true) {
		close(s.stop)
	}
	for ln := range s.listeners {
		ln.Close()
		delete(s.listeners, ln)
	}
}

// closeIdle wakes every connection waiting for a new request, which then
// sees the drain and closes; a busy one closes after its exchange.
func (s *Server) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosing) {
			c.nc.SetReadDeadline(time.Unix(1, 0))
		}
	}
}

// hijacked registers a connection handed over for an upgrade.
func (s *Server) hijacked(nc net.Conn) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		nc.Close()
		return
	}
	s.upgraded[nc] = struct{}{}
	s.mu.Unlock()
}

func (s *Server) released(nc net.Conn) {
	s.mu.Lock()
	delete(s.upgraded, nc)
	s.mu.Unlock()
}

// CloseUpgraded closes every upgraded connection (WebSockets), and any
// upgraded from now on: the last step of a shutdown, once the stages that
// own them said goodbye.
func (s *Server) CloseUpgraded() {
	s.init()
	s.mu.Lock()
	s.closed = true
	conns := make([]net.Conn, 0, len(s.upgraded))
	for nc := range s.upgraded {
		conns = append(conns, nc)
	}
	s.mu.Unlock()
	for _, nc := range conns {
		nc.Close() // which forgets it, under the lock
	}
}
