package upstream

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/http2"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// h2cAuthority is the host of the URLs given to a transport: each
// transport reaches one address, so the name only keys its connection
// pool; the ship gets the client's Host as :authority.
const h2cAuthority = "upstream"

// h2c keep-alive: a connection silent this long is pinged, and closed when
// the ping goes unanswered, so that a ship that vanished without a FIN is
// not waited on by every stream multiplexed on it.
const (
	h2cReadIdle    = 30 * time.Second
	h2cPingTimeout = 15 * time.Second
)

// h2cForward is the forward stage of a route whose target speaks HTTP/2
// without TLS (protocol = "h2c", gRPC): each request is a stream on a
// connection its address's transport shares with every other route to it.
// Balancing, holds, path edits, the header policy, timeouts and answers
// are forward's.
type h2cForward struct {
	f          *forward
	transports map[*target]*http2.Transport
}

// transports are the h2c transports of every address, shared by the routes
// of a server like pools.
type transports map[poolKey]*http2.Transport

// transportsKey keeps the transports in Build.Shared.
type transportsKey struct{}

// protocolOf is the protocol of a route's target: its ship's or its
// upstream's.
func protocolOf(m *manifest.Manifest, t manifest.Target) string {
	if up := upstreamOf(m, t); up != nil {
		return up.Protocol
	}
	if t.Kind == manifest.TargetShip && m != nil {
		for _, s := range m.Ships {
			if s.Name == t.Name {
				return s.Protocol
			}
		}
	}
	return manifest.UpstreamHTTP
}

// newH2C turns f, built for HTTP/1.1, into the stage that speaks h2c to
// the same targets.
func newH2C(b *pipeline.Build, f *forward) (*h2cForward, error) {
	v, err := b.Shared(transportsKey{}, func() (any, error) {
		ts := transports{}
		b.OnDrain(func(context.Context) {
			for _, t := range ts {
				t.CloseIdleConnections()
			}
		})
		return ts, nil
	})
	if err != nil {
		return nil, err
	}
	ts := v.(transports)
	h := &h2cForward{f: f, transports: map[*target]*http2.Transport{}}
	for _, t := range f.balance.targets {
		k := poolKey{addr: t.pool.addr, connect: t.pool.connect}
		if ts[k] == nil {
			ts[k] = newTransport(k.addr, k.connect)
		}
		h.transports[t] = ts[k]
	}
	return h, nil
}

// newTransport is the HTTP/2 client of one address: plain TCP or a Unix
// socket, HTTP/2 from the first byte (prior knowledge), bodies as they
// are (no gzip asked for nor undone).
func newTransport(a manifest.Addr, connect time.Duration) *http2.Transport {
	d := net.Dialer{Timeout: connect}
	return &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, _, _ string, _ *tls.Config) (net.Conn, error) {
			return d.DialContext(ctx, a.Network, a.Address)
		},
		DisableCompression: true,
		ReadIdleTimeout:    h2cReadIdle,
		PingTimeout:        h2cPingTimeout,
	}
}

// answerNoUpgrade answers an upgrade to an h2c target: HTTP/2 has none.
var answerNoUpgrade = pipeline.NewAnswer(http.StatusBadGateway, "502 bad gateway: the target speaks HTTP/2 (protocol = \"h2c\"), which has no protocol upgrade (WebSocket needs protocol = \"http\")")

// Serve forwards x as a stream and relays the answer with its trailers.
func (h *h2cForward) Serve(x *pipeline.Exchange, _ pipeline.Handler) {
	f := h.f
	if x.Upgrade != "" {
		answerNoUpgrade.Write(x.Response)
		return
	}
	t, mark, ok := f.admit(x)
	if !ok {
		return
	}
	if f.balance.strategy == leastConn {
		t.inflight.Add(1)
		defer t.inflight.Add(-1)
	}
	body := &h2cBody{x: x}
	defer body.end()
	for attempt := 0; ; attempt++ {
		err := h.exchange(x, t, body)
		if err == nil {
			return
		}
		again := !body.started() && (idempotent(x.Method) || unread(err) || dialFailed(err))
		if f.retryHeld(x, t, &mark, err, attempt, again) {
			continue
		}
		return
	}
}

// exchange sends one stream and relays its answer. An error before the
// response head reached the client is for Serve to answer; after it,
// exchange cuts the client's connection itself and returns nil.
func (h *h2cForward) exchange(x *pipeline.Exchange, t *target, body *h2cBody) error {
	ctx, cancel := context.WithCancelCause(x.Context())
	defer cancel(nil)
	w := startWatch(ctx, x, body, h.f.read, cancel)
	defer w.stop()
	resp, err := h.transports[t].RoundTrip(h.request(ctx, x, body))
	if err != nil {
		return w.explain(err)
	}
	defer resp.Body.Close()
	h.relay(x, t, resp, w)
	return nil
}

// request is x as the transport sends it: the target as forward edits it,
// the client's fields the header policy passes, ours, the route's
// add_headers, and TE: trailers, which gRPC servers want and which this
// stage honours.
func (h *h2cForward) request(ctx context.Context, x *pipeline.Exchange, body *h2cBody) *http.Request {
	f := h.f
	hd := make(http.Header, x.Header.Len()+8)
	for _, fl := range x.Header.Fields() {
		if f.policy.Passes(x, fl.Name) {
			hd.Add(fl.Name, fl.Value)
		}
	}
	scratch := f.policy.Owned(x, nil, func(name string, value []byte) { hd.Add(name, string(value)) })
	for _, a := range f.policy.Add {
		hd.Set(a.Name, a.Value)
	}
	hd.Set("Te", "trailers")
	if _, ok := hd["User-Agent"]; !ok {
		hd["User-Agent"] = []string{""} // the client sent none: the transport adds none
	}
	target := string(f.appendTarget(scratch[:0], x))
	req := &http.Request{
		Method: x.Method, Host: x.Host, Header: hd,
		URL:   &url.URL{Scheme: "http", Host: h2cAuthority, Opaque: target},
		Proto: "HTTP/2.0", ProtoMajor: 2,
	}
	switch {
	case x.ContentLength == 0:
		req.Body = http.NoBody
	case x.ContentLength > 0:
		req.Body, req.ContentLength = body, x.ContentLength
	default:
		req.Body = body // unknown length: it streams as it comes
	}
	return req.WithContext(ctx)
}

// dialFailed reports whether err is a failure to connect: the ship never
// saw the request.
func dialFailed(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
