package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// seen is what an echo backend reports about the request it got.
type seen struct {
	Backend  string
	Method   string
	Path     string
	RawPath  string
	RawQuery string
	Host     string
	Header   http.Header
}

// echoHandler answers every request with what it saw, as JSON.
func echoHandler(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", name)
		json.NewEncoder(w).Encode(seen{
			Backend: name, Method: r.Method, Path: r.URL.Path, RawPath: r.URL.RawPath,
			RawQuery: r.URL.RawQuery, Host: r.Host, Header: r.Header,
		})
	}
}

func startBackend(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// backendAddr is a test server's host:port, for a manifest.
func backendAddr(ts *httptest.Server) string { return ts.Listener.Addr().String() }

// proxy is a running Server under test.
type proxy struct {
	srv    *Server
	url    string // http://host:port of the bind "http"
	addr   string
	served chan error
	obs    *recorder
}

// setup changes a Server between New and Listen (limits, for instance).
type setup func(*Server)

// startProxy loads the manifest doc, moves every TCP bind to port 0,
// starts a Server on it and shuts it down when the test ends. Backends'
// addresses are written into doc by the caller.
func startProxy(t *testing.T, doc string, setups ...setup) *proxy {
	t.Helper()
	m := parseManifest(t, doc)
	for _, b := range m.Mothership.Binds {
		if b.Addr.Network == "tcp" {
			host, _, _ := net.SplitHostPort(b.Addr.Address)
			b.Addr.Address = net.JoinHostPort(host, "0")
		}
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatalf("compile routes: %v", err)
	}
	rec := newRecorder()
	s, err := New(m, tree, Options{Resolve: upstream.ManifestResolver(m), TrustedProxies: m.Mothership.TrustedProxies, Observer: rec})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, f := range setups {
		f(s)
	}
	if err := s.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	p := &proxy{srv: s, served: make(chan error, 1), obs: rec}
	if a := s.Addr("http"); a != nil {
		p.addr = a.String()
		p.url = "http://" + p.addr
	}
	go func() { p.served <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closeIdleClients()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		select {
		case err := <-p.served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after Shutdown")
		}
	})
	return p
}

func parseManifest(t testing.TB, doc string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Parse("test.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v\n%s", err, doc)
	}
	return m
}

// newClient is an HTTP client of its own, so that tests share no pool.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// do sends a request with the given Host and headers and reads the answer.
func do(t *testing.T, c *http.Client, method, url, host string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return res, string(body)
}

// decodeSeen reads an echo backend's report.
func decodeSeen(t *testing.T, name, body string) seen {
	t.Helper()
	var s seen
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("%s: backend report: %v (body %q)", name, err, body)
	}
	return s
}

// recorder is an Observer that keeps every observation.
type recorder struct {
	mu     sync.Mutex
	byName map[string][]int
	ch     chan int
}

func newRecorder() *recorder {
	return &recorder{byName: map[string][]int{}, ch: make(chan int, 1024)}
}

type recordedRoute struct {
	r    *recorder
	name string
}

func (o recordedRoute) Observe(status int, _ time.Duration) {
	o.r.mu.Lock()
	o.r.byName[o.name] = append(o.r.byName[o.name], status)
	o.r.mu.Unlock()
	select {
	case o.r.ch <- status:
	default:
	}
}

func (r *recorder) Route(rt *routetree.Route) pipeline.RouteObserver {
	return recordedRoute{r, rt.Source.Pos.Key}
}

func (r *recorder) NoRoute(bind string) pipeline.RouteObserver {
	return recordedRoute{r, "no route on " + bind}
}

// next waits for the next observed status.
func (r *recorder) next(t *testing.T) int {
	t.Helper()
	select {
	case s := <-r.ch:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("no request observed")
		return 0
	}
}

// bindOnly is the head of a manifest: one bind named http.
const bindOnly = "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n"

// ship declares a ship with an address and routes.
func ship(name, addr string, routes ...string) string {
	return "[[fleet.web]]\nname = \"" + name + "\"\ncommand = \"" + name + "\"\nbind = \"" + addr + "\"\nroutes = [\n  " + strings.Join(routes, ",\n  ") + ",\n]\n\n"
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
