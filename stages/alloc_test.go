package stages

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/mothership-go/mothership/routetree"
)

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// fakeWriter is a ResponseWriter that keeps nothing but the status, so that
// an allocation test measures our code, not a response's buffers.
type fakeWriter struct {
	header http.Header
	status int
}

func (w *fakeWriter) Header() http.Header         { return w.header }
func (w *fakeWriter) WriteHeader(s int)           { w.status = s }
func (w *fakeWriter) Write(p []byte) (int, error) { return len(p), nil }

// countObserver counts without allocating, as an Observer must.
type countObserver struct{ n int }

func (o *countObserver) Observe(int, time.Duration) { o.n++ }

// answering is a stage that answers, standing in for forward so that the
// dispatch path can be measured without net/http's client.
type answering struct{}

func (answering) Serve(x *Exchange, _ Handler) { x.Response.WriteHeader(204) }

// TestNoAllocations guards the per-request work of our own code. What
// net/http and ReverseProxy allocate is measured by the benchmarks in
// bench/, not guarded here; forward itself allocates one outgoing per
// request (see outgoing for why it is not pooled).
func TestNoAllocations(t *testing.T) {
	m := parseManifest(t, bindOnly+ship("app", "127.0.0.1:9", `{ path_prefix = "/app" }`))
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	bt := tree.Binds[0]
	obs := &countObserver{}
	e := &engine{
		bind:     "http",
		tree:     bt,
		pipes:    []*pipeline{{first: chain([]Stage{answering{}}), obs: obs}},
		noRoute:  obs,
		trusted:  trustedProxies{netip.MustParsePrefix("10.0.0.0/8")},
		upgrades: &upgrades{},
	}
	hit := requestOnConn("GET", "/app/x")
	miss := requestOnConn("GET", "/elsewhere")
	w := &fakeWriter{header: http.Header{}}

	in := http.Header{"X-Forwarded-For": {"198.51.100.1"}, "X-Forwarded-Proto": {"https"}}
	out := http.Header{}
	o := &outgoing{}
	untrusted := &Exchange{Scheme: "http", Host: "site.test", peerIP: "203.0.113.9"}
	trustedX := &Exchange{Scheme: "http", Host: "site.test", peerIP: "10.0.0.2", PeerTrusted: true}
	noPrior := http.Header{}
	tp := trustedProxies{netip.MustParsePrefix("10.0.0.0/8")}
	peer := netip.MustParseAddr("10.0.0.2")
	xff := []string{"198.51.100.1, 10.0.0.7"}
	p := newPool(roundRobin, 3)
	lc := newPool(leastConn, 3)
	ih := newPool(ipHash, 3)
	edit := pathEdit{strip: "/api"}
	var sink string

	cases := []struct {
		name string
		f    func()
	}{
		{"dispatch to a route's pipeline, observed", func() { e.ServeHTTP(w, hit) }},
		{"dispatch to no route: 404, observed", func() { e.ServeHTTP(w, miss) }},
		{"observer call", func() { e.done(connOf(hit), obs, time.Now()) }},
		{"request id", func() { _ = newRequestID() }},
		{"set request id", func() { setRequestID(out, noPrior, o) }},
		{"X-Forwarded-* from an untrusted peer", func() { setForwarded(out, in, untrusted, o) }},
		{"X-Forwarded-* from a trusted peer, no prior", func() { setForwarded(out, noPrior, trustedX, o) }},
		{"strip prefix", func() { sink, _ = edit.paths("/api/users", "") }},
		{"client address behind trusted proxies", func() { _ = tp.client(peer, true, xff) }},
		{"round robin pick", func() { _ = p.pick(peer) }},
		{"least_conn pick", func() { _ = lc.pick(peer) }},
		{"ip_hash pick", func() { _ = ih.pick(peer) }},
		{"plain answer", func() { answerNoRoute.write(w) }},
	}
	for _, tc := range cases {
		if a := testing.AllocsPerRun(1000, tc.f); a != 0 {
			t.Errorf("%s: %v allocs per request, want 0", tc.name, a)
		}
	}
	if obs.n == 0 || w.status == 0 || sink == "" {
		t.Fatal("the measured functions did not run")
	}
}

// requestOnConn is a request as the engine gets it from net/http: its
// context carries the connection's state.
func requestOnConn(method, path string) *http.Request {
	r := httptest.NewRequest(method, "http://site.test"+path, nil)
	r.RemoteAddr = "203.0.113.9:4321"
	r.Header.Set("User-Agent", "Mozilla/5.0")
	return r.WithContext(context.WithValue(r.Context(), connKey{}, new(conn)))
}

func connOf(r *http.Request) *conn { return r.Context().Value(connKey{}).(*conn) }
