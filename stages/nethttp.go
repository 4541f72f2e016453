package stages

// This file is the engine under the stages as it stands today: net/http,
// adapted into the Exchange. Nothing else in the package touches an
// *http.Request but forward, through stdRequest, for as long as it stands
// on httputil.ReverseProxy. A raw HTTP/1.1 engine replaces this file.

import (
	"bufio"
	"context"
	"log"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/mothership-go/mothership/routetree"
)

// newHTTPServer is a bind's net/http server, with the limits on.
func newHTTPServer(h http.Handler, lim limits, errorLog *log.Logger) *http.Server {
	// HTTP/1.1 only: a connection then serves one request at a time, which
	// lets it keep one Exchange for all of them (see conn).
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeader,
		ErrorLog:          errorLog,
		ConnContext:       connContext,
		Protocols:         &protocols,
		// `OPTIONS *` is for the routes to answer (or 404), like any request.
		DisableGeneralOptionsHandler: true,
	}
}

// connKey finds a connection's state in its requests' contexts.
type connKey struct{}

// conn is the engine's state for one client connection, allocated once per
// connection: the Exchange its requests reuse, and its peer, resolved once.
type conn struct {
	x        Exchange
	w        responseWriter
	peerDone bool
	peer     netip.AddrPort
	peerIP   string
	trusted  bool
	head     *headConn // the raw request heads (rawhead.go); nil if not recorded
}

// connContext must not look at the connection's addresses: on a PROXY
// protocol bind that reads the header, and this runs on the accept loop.
func connContext(ctx context.Context, nc net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &conn{head: headConnOf(nc)})
}

// exchangeOf finds the exchange a request belongs to: ReverseProxy's hooks
// get only the request.
func exchangeOf(r *http.Request) *Exchange {
	return &r.Context().Value(connKey{}).(*conn).x
}

// resolvePeer reads the peer from the address net/http reports, which on a
// PROXY protocol bind is the header's source.
func (c *conn) resolvePeer(remote string, trusted trustedProxies) {
	c.peerDone = true
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return // a Unix-socket peer has no address
	}
	c.peer = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	c.peerIP = c.peer.Addr().String()
	c.trusted = trusted.contains(c.peer.Addr())
}

// engine serves one bind: it fills the connection's Exchange from the
// request, looks the route up, runs its pipeline and observes the result.
type engine struct {
	bind     string
	tree     *routetree.BindTree
	pipes    []*pipeline // by Route.Index
	noRoute  RouteObserver
	trusted  trustedProxies
	upgrades *upgrades
	static   *staticSite // tried when no route matches (static.go)
}

func (e *engine) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	start := time.Now()
	c := req.Context().Value(connKey{}).(*conn)
	c.head.next()               // this request's raw head (rawhead.go)
	delete(req.Header, hdrJA4H) // only the shields stage sets it
	if !c.peerDone {
		c.resolvePeer(req.RemoteAddr, e.trusted)
	}
	c.w = responseWriter{rw: rw, upgrades: e.upgrades}
	x := &c.x
	*x = Exchange{
		Method:      req.Method,
		Path:        req.URL.Path,
		RawPath:     req.URL.RawPath,
		RawQuery:    req.URL.RawQuery,
		Host:        req.Host,
		Proto:       req.Proto,
		Header:      req.Header,
		Scheme:      "http",
		Bind:        e.bind,
		Peer:        c.peer,
		PeerTrusted: c.trusted,
		Client:      e.trusted.client(c.peer.Addr(), c.trusted, req.Header[hdrForwardedFor]),
		Body:        req.Body,
		Response:    &c.w,
		ctx:         req.Context(),
		peerIP:      c.peerIP,
		std:         stdRequest{req: req, w: &c.w},
	}
	x.Route = e.tree.Lookup(&routetree.Request{
		Host:      req.Host,
		Method:    req.Method,
		Path:      req.URL.Path,
		UserAgent: firstValue(req.Header["User-Agent"]),
		Header:    req.Header,
	})
	if x.Route == nil {
		defer e.done(c, e.noRoute, start)
		if !e.static.serve(x) {
			answerNoRoute.write(x.Response)
		}
		return
	}
	p := e.pipes[x.Route.Index]
	// Deferred so that a request ReverseProxy aborts (a target that breaks
	// mid-body panics with http.ErrAbortHandler) is still observed.
	defer e.done(c, p.obs, start)
	p.first.Serve(x)
}

// done observes the request and lets go of it, so that an idle keep-alive
// connection does not hold the last request's memory.
func (e *engine) done(c *conn, obs RouteObserver, start time.Time) {
	obs.Observe(c.w.status(), time.Since(start))
	if c.w.hijacked != nil {
		e.upgrades.remove(c.w.hijacked)
	}
	c.x = Exchange{}
	c.w = responseWriter{}
}

func firstValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// stdRequest is what forward needs from net/http while it stands on
// httputil.ReverseProxy.
type stdRequest struct {
	req *http.Request
	w   *responseWriter
}

func (s stdRequest) forwarding() (http.ResponseWriter, *http.Request) { return s.w, s.req }

// answered reports whether a response head (or a 101) went out.
func (s stdRequest) answered() bool { return s.w.code != 0 }

// clientGone records that the client left before an answer.
func (s stdRequest) clientGone() {
	if s.w.code == 0 {
		s.w.code = statusClientClosed
	}
}

// responseWriter is net/http's ResponseWriter with the status kept for the
// observer and hijacked connections tracked for Shutdown. Flushing and
// deadlines reach net/http's writer through Unwrap.
type responseWriter struct {
	rw       http.ResponseWriter
	code     int // the final status; 0 until the head is written
	hijacked net.Conn
	upgrades *upgrades
}

func (w *responseWriter) Header() http.Header { return w.rw.Header() }

func (w *responseWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code // 1xx heads are interim, the final one follows
	}
	w.rw.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.rw.Write(p)
}

// Unwrap lets http.ResponseController find net/http's Flush and deadlines.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.rw }

// Hijack hands the connection over for an upgrade; ReverseProxy relays it
// after a 101, and Shutdown closes it once the drain is over.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.rw).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.code = http.StatusSwitchingProtocols
	w.hijacked = conn
	w.upgrades.add(conn)
	return conn, brw, nil
}

// status is what the client got: net/http sends 200 for a handler that
// wrote nothing.
func (w *responseWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
