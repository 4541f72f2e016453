package proxy

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// start runs a proxy on the manifest doc, every TCP bind moved to a free
// port, and returns the address of the bind "http".
func start(t testing.TB, doc string) string {
	t.Helper()
	return startWith(t, doc, Options{})
}

// startWith is start with opts, Resolve and ErrorLog filled in.
func startWith(t testing.TB, doc string, opts Options) string {
	t.Helper()
	m, err := manifest.Parse("test.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	for _, b := range m.Mothership.Binds {
		if b.Addr.Network == "tcp" {
			b.Addr.Address = "127.0.0.1:0"
		}
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatalf("routes: %v", err)
	}
	opts.Resolve, opts.ErrorLog = upstream.ManifestResolver(m), log.New(testWriter{t}, "", 0)
	s, err := New(m, tree, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := s.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closeIdleClients()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s.Addr("http").String()
}

// closeIdleClients closes the keep-alive connections that the tests'
// http.Get and default clients leave idle: a drain would keep them open
// for its idle grace (a second), waiting for a last request that a test
// that has ended never sends.
func closeIdleClients() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// to is a manifest with one bind and every path routed to backend.
func to(backend string) string {
	return "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"backend\"\nbinds = [\"" + backend + "\"]\nroutes = [\"/*\"]\n"
}

// backend runs a net/http backend.
func backend(t testing.TB, h http.HandlerFunc) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// rawBackend runs a backend that hands every connection to serve.
func rawBackend(t testing.TB, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// dial opens a raw client connection.
func dial(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// readResponse reads one response off br, body included.
func readResponse(t testing.TB, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading a response: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading a response body: %v", err)
	}
	return resp, string(b)
}

// readRequests reads requests off c as a backend, calling each.
func readRequests(c net.Conn, each func(r *http.Request, body string) bool) {
	br := bufio.NewReader(c)
	for {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		b, err := io.ReadAll(r.Body)
		if err != nil || !each(r, string(b)) {
			return
		}
	}
}

// testWriter sends the proxy's error log to the test's log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
