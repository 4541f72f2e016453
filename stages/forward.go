package stages

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// forward proxies an exchange over HTTP/1.1 to one address of the route's
// target and copies the answer back; it is the last stage of every route.
// It stands on httputil.ReverseProxy (with Rewrite), which strips the
// hop-by-hop headers both ways (RFC 9110 §7.6.1: Connection and the headers
// it names, Keep-Alive, Proxy-Connection, Proxy-Authenticate/-Authorization,
// TE except "trailers", Trailer, Transfer-Encoding, Upgrade except for an
// upgrade), relays 1xx answers and trailers, and splices an upgraded
// connection (WebSocket) to the ship after a 101.
type forward struct {
	pool     pool
	edit     pathEdit
	add      []headerValue
	errorLog *log.Logger
	// name says which route an error-log line is about.
	name string
}

// headerValue is an add_headers entry, canonicalized and boxed at compile time.
type headerValue struct {
	name  string
	value []string
}

func buildForward(c *compiler, r *routetree.Route) (Stage, error) {
	if s, ok, err := buildBay(c, r); ok || err != nil {
		return s, err
	}
	name := routeName(r)
	addrs, err := c.resolve(r.Target)
	if err != nil {
		// The route stays up and says why it cannot forward.
		c.errorLog.Printf("stages: %s: %v; it answers 502", name, err)
		return refuse{newPlainAnswer(http.StatusBadGateway, err.Error())}, nil
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%s resolved to no address", r.Target)
	}
	strat := roundRobin
	if r.Target.Kind == manifest.TargetUpstream {
		if u := c.upstreams[r.Target.Name]; u != nil {
			if strat, err = parseStrategy(u.Strategy); err != nil {
				return nil, fmt.Errorf("upstream %q: %w", u.Name, err)
			}
		}
	}
	f := &forward{
		pool:     pool{strategy: strat},
		edit:     pathEdit{strip: r.StripPrefix, from: r.RewritePrefix, to: r.Source.Rewrite},
		errorLog: c.errorLog,
		name:     name,
	}
	f.add = addHeaders(r)
	connect := cmp.Or(r.Source.ConnectTimeout, DefaultConnectTimeout)
	readHead := cmp.Or(r.Source.ReadTimeout, DefaultReadTimeout)
	for _, a := range addrs {
		t := &target{addr: a}
		t.proxy = &httputil.ReverseProxy{
			Rewrite:      f.rewrite(urlHost(a)),
			Transport:    c.transports.get(transportKey{addr: a, connect: connect, readHead: readHead}),
			BufferPool:   c.buffers,
			ErrorLog:     c.errorLog,
			ErrorHandler: f.fail(a),
		}
		f.pool.targets = append(f.pool.targets, t)
	}
	return f, nil
}

// routeName says which route an error-log line is about.
func routeName(r *routetree.Route) string {
	return fmt.Sprintf("%s (line %d, %s)", r.Source.Pos.Key, r.Source.Pos.Line, r.Target)
}

// addHeaders is a route's add_headers, ready to set.
func addHeaders(r *routetree.Route) []headerValue {
	var add []headerValue
	for _, h := range r.Source.AddHeaders {
		add = append(add, headerValue{name: textproto.CanonicalMIMEHeaderKey(h.Name), value: []string{h.Value}})
	}
	return add
}

// Serve forwards x and never calls next: the target's answer is the answer.
func (f *forward) Serve(x *Exchange, _ Handler) {
	t := f.pool.pick(x.Client)
	if f.pool.strategy == leastConn {
		t.inflight.Add(1)
		defer t.inflight.Add(-1)
	}
	x.out = new(outgoing)
	w, req := x.std.forwarding()
	t.proxy.ServeHTTP(w, req)
}

// rewrite makes the upstream request: the exchange's path edited by the
// route, the client's Host kept (ships build their own URLs from it), the
// forwarding headers and a request id set, the route's headers added last
// so that they win.
func (f *forward) rewrite(host string) func(*httputil.ProxyRequest) {
	return func(pr *httputil.ProxyRequest) {
		x := exchangeOf(pr.In)
		out := pr.Out
		out.URL.Scheme = "http"
		out.URL.Host = host
		out.URL.Path, out.URL.RawPath = f.edit.paths(x.Path, x.RawPath)
		out.Host = x.Host
		setForwarded(out.Header, pr.In.Header, x, x.out)
		setRequestID(out.Header, pr.In.Header, x.out)
		for _, h := range f.add {
			out.Header[h.name] = h.value[:1:1]
		}
	}
}

// fail answers a request the target did not: 504 when it was too slow
// (connect or response-head timeout), 502 when it refused or broke. A
// client that went away gets nothing, and is not the target's fault.
func (f *forward) fail(a manifest.Addr) func(http.ResponseWriter, *http.Request, error) {
	return func(_ http.ResponseWriter, req *http.Request, err error) {
		x := exchangeOf(req)
		if x.ctx.Err() != nil {
			x.std.clientGone()
			return
		}
		f.errorLog.Printf("stages: %s: forward to %s: %v", f.name, a, err)
		if x.std.answered() {
			// An upgrade that failed after the 101 went out: the
			// connection is the client's now, there is no answer to make.
			return
		}
		if isTimeout(err) {
			answerTimeout.write(x.Response)
			return
		}
		answerBadGateway.write(x.Response)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// refuse is the stage of a route whose target cannot be reached at all: it
// answers every request with the reason, as a 502.
type refuse struct{ answer *plainAnswer }

func (r refuse) Serve(x *Exchange, _ Handler) { r.answer.write(x.Response) }
