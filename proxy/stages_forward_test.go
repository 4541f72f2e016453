package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

func TestRouting(t *testing.T) {
	alpha := startBackend(t, echoHandler("alpha"))
	beta := startBackend(t, echoHandler("beta"))
	p := startProxy(t, bindOnly+
		ship("alpha", backendAddr(alpha),
			`{ path_prefix = "/alpha" }`,
			`{ host = "alpha.test" }`,
			`{ path_prefix = "/strip", strip_prefix = "/strip" }`,
			`{ pattern = "/old-api/.*", rewrite = "/new-api" }`,
			`{ path_prefix = "/hdr", add_headers = { X-Added = "yes", x-lower = "canonical" } }`,
		)+
		ship("beta", backendAddr(beta),
			`{ path_prefix = "/beta" }`,
			`{ host = "beta.test" }`,
		))
	c := newClient(t)
	cases := []struct {
		name, host, path        string
		backend, wantPath       string
		wantRawPath, wantQuery  string
		wantHeader, wantHeaderV string
	}{
		{name: "path to alpha", host: "any.test", path: "/alpha/one", backend: "alpha", wantPath: "/alpha/one"},
		{name: "path to beta", host: "any.test", path: "/beta/two", backend: "beta", wantPath: "/beta/two"},
		{name: "host to alpha", host: "alpha.test", path: "/x", backend: "alpha", wantPath: "/x"},
		{name: "host with port to beta", host: "beta.test:8080", path: "/x", backend: "beta", wantPath: "/x"},
		{name: "strip_prefix", host: "any.test", path: "/strip/users?page=2", backend: "alpha", wantPath: "/users", wantQuery: "page=2"},
		{name: "strip_prefix to the root", host: "any.test", path: "/strip", backend: "alpha", wantPath: "/"},
		{name: "strip_prefix keeps the client's escaping", host: "any.test", path: "/strip/a%2Fb", backend: "alpha", wantPath: "/a/b", wantRawPath: "/a%2Fb"},
		{name: "rewrite", host: "any.test", path: "/old-api/users/7", backend: "alpha", wantPath: "/new-api/users/7"},
		{name: "add_headers", host: "any.test", path: "/hdr", backend: "alpha", wantPath: "/hdr", wantHeader: "X-Added", wantHeaderV: "yes"},
		{name: "add_headers canonicalizes names", host: "any.test", path: "/hdr", backend: "alpha", wantPath: "/hdr", wantHeader: "X-Lower", wantHeaderV: "canonical"},
	}
	for _, tc := range cases {
		res, body := do(t, c, "GET", p.url+tc.path, tc.host, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d, body %q", tc.name, res.StatusCode, body)
			continue
		}
		s := decodeSeen(t, tc.name, body)
		if s.Backend != tc.backend || s.Path != tc.wantPath || s.RawPath != tc.wantRawPath || s.RawQuery != tc.wantQuery {
			t.Errorf("%s: backend %s got path %q raw %q query %q; want %s, %q, %q, %q",
				tc.name, s.Backend, s.Path, s.RawPath, s.RawQuery, tc.backend, tc.wantPath, tc.wantRawPath, tc.wantQuery)
		}
		if s.Host != tc.host {
			t.Errorf("%s: backend got Host %q, want the client's %q", tc.name, s.Host, tc.host)
		}
		if tc.wantHeader != "" && s.Header.Get(tc.wantHeader) != tc.wantHeaderV {
			t.Errorf("%s: backend got %s %q, want %q", tc.name, tc.wantHeader, s.Header.Get(tc.wantHeader), tc.wantHeaderV)
		}
		if got := res.Header.Get("X-Backend"); got != tc.backend {
			t.Errorf("%s: client got X-Backend %q, want %q", tc.name, got, tc.backend)
		}
	}
}

func TestHopByHopHeaders(t *testing.T) {
	var got http.Header
	backend := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		h := w.Header()
		h.Set("Connection", "X-Back-Hop")
		h.Set("X-Back-Hop", "1")
		h.Set("Keep-Alive", "timeout=5")
		h.Set("Proxy-Authenticate", "Basic")
		h.Set("Upgrade", "h2c")
		h.Set("X-End-To-End", "kept")
		w.WriteHeader(200)
	}))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	res, _ := do(t, newClient(t), "GET", p.url+"/", "", http.Header{
		"Connection":          {"X-Hop, X-Other-Hop"},
		"X-Hop":               {"1"},
		"X-Other-Hop":         {"1"},
		"Keep-Alive":          {"timeout=5"},
		"Proxy-Connection":    {"keep-alive"},
		"Te":                  {"gzip"},
		"Upgrade":             {"h2c"},
		"Proxy-Authorization": {"Basic Zm9vOmJhcg=="},
		"Trailer":             {"X-Sum"},
		"X-End-To-End":        {"kept"},
	})
	for _, h := range []string{"Connection", "X-Hop", "X-Other-Hop", "Keep-Alive", "Proxy-Connection", "Te", "Upgrade", "Proxy-Authorization", "Trailer", "Transfer-Encoding"} {
		if v, ok := got[h]; ok {
			t.Errorf("request: hop-by-hop %s reached the backend: %q", h, v)
		}
	}
	if got.Get("X-End-To-End") != "kept" {
		t.Errorf("request: an end-to-end header was dropped")
	}
	for _, h := range []string{"X-Back-Hop", "Keep-Alive", "Proxy-Authenticate", "Upgrade"} {
		if v, ok := res.Header[h]; ok {
			t.Errorf("response: hop-by-hop %s reached the client: %q", h, v)
		}
	}
	if res.Header.Get("X-End-To-End") != "kept" {
		t.Errorf("response: an end-to-end header was dropped")
	}
}

func TestForwardedHeaders(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	route := ship("app", backendAddr(backend), `{ path_prefix = "/" }`)
	// The test client connects from 127.0.0.1: trusted by one proxy, not
	// by the other.
	trusting := startProxy(t, "[mothership]\ntrusted_proxies = [\"127.0.0.0/8\"]\n\n"+bindOnly+route)
	wary := startProxy(t, "[mothership]\ntrusted_proxies = [\"10.0.0.0/8\"]\n\n"+bindOnly+route)
	c := newClient(t)
	cases := []struct {
		name      string
		p         *proxy
		in        http.Header
		wantFor   string
		wantProto string
		wantHost  string
		absent    []string
	}{
		{name: "untrusted peer, nothing sent", p: wary, wantFor: "127.0.0.1", wantProto: "http", wantHost: "site.test"},
		{name: "untrusted peer, spoofed headers replaced", p: wary,
			in:      http.Header{"X-Forwarded-For": {"6.6.6.6"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"evil.test"}, "Forwarded": {"for=6.6.6.6"}, "X-Real-Ip": {"6.6.6.6"}},
			wantFor: "127.0.0.1", wantProto: "http", wantHost: "site.test", absent: []string{"Forwarded", "X-Real-Ip"}},
		{name: "trusted peer, nothing sent", p: trusting, wantFor: "127.0.0.1", wantProto: "http", wantHost: "site.test"},
		{name: "trusted peer, appended to and kept", p: trusting,
			in:      http.Header{"X-Forwarded-For": {"203.0.113.5, 10.1.1.1"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Host": {"front.test"}},
			wantFor: "203.0.113.5, 10.1.1.1, 127.0.0.1", wantProto: "https", wantHost: "front.test"},
		{name: "trusted peer, several lines folded", p: trusting,
			in:      http.Header{"X-Forwarded-For": {"203.0.113.5", "10.1.1.1"}},
			wantFor: "203.0.113.5, 10.1.1.1, 127.0.0.1", wantProto: "http", wantHost: "site.test"},
	}
	for _, tc := range cases {
		_, body := do(t, c, "GET", tc.p.url+"/", "site.test", tc.in)
		s := decodeSeen(t, tc.name, body)
		if got := strings.Join(s.Header["X-Forwarded-For"], "|"); got != tc.wantFor {
			t.Errorf("%s: X-Forwarded-For %q, want %q", tc.name, got, tc.wantFor)
		}
		if got := strings.Join(s.Header["X-Forwarded-Proto"], "|"); got != tc.wantProto {
			t.Errorf("%s: X-Forwarded-Proto %q, want %q", tc.name, got, tc.wantProto)
		}
		if got := strings.Join(s.Header["X-Forwarded-Host"], "|"); got != tc.wantHost {
			t.Errorf("%s: X-Forwarded-Host %q, want %q", tc.name, got, tc.wantHost)
		}
		for _, h := range tc.absent {
			if v, ok := s.Header[h]; ok {
				t.Errorf("%s: %s from an untrusted peer reached the backend: %q", tc.name, h, v)
			}
		}
	}
}

func TestRequestID(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	trusting := startProxy(t, "[mothership]\ntrusted_proxies = [\"127.0.0.0/8\"]\n\n"+bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	c := newClient(t) // after both proxies: its idle connections close before their drains
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	ids := map[string]bool{}
	for i := range 3 {
		_, body := do(t, c, "GET", p.url+"/", "", nil)
		id := decodeSeen(t, "generated", body).Header.Get("X-Request-Id")
		if !hex16.MatchString(id) {
			t.Errorf("generated: X-Request-Id %q, want 16 hex characters", id)
		}
		if ids[id] {
			t.Errorf("generated: request %d repeats id %q", i, id)
		}
		ids[id] = true
	}
	for _, tc := range []struct {
		name, url, sent string
		kept            bool
	}{
		{"untrusted client", p.url, "client-chosen-1", false},
		{"trusted proxy", trusting.url, "lb-01:3f2a.9_x-1", true},
		{"trusted proxy, 129 bytes", trusting.url, strings.Repeat("a", 129), false},
		{"trusted proxy, a space", trusting.url, "a b", false},
		{"trusted proxy, a quote", trusting.url, `a"b`, false},
	} {
		_, body := do(t, c, "GET", tc.url+"/", "", http.Header{"X-Request-Id": {tc.sent}})
		got := decodeSeen(t, tc.name, body).Header["X-Request-Id"]
		switch {
		case len(got) != 1:
			t.Errorf("%s: X-Request-Id %q, want one", tc.name, got)
		case tc.kept && got[0] != tc.sent:
			t.Errorf("%s: X-Request-Id %q, want the proxy's %q", tc.name, got[0], tc.sent)
		case !tc.kept && !hex16.MatchString(got[0]):
			t.Errorf("%s: X-Request-Id %q, want a new one instead of %q", tc.name, got[0], tc.sent)
		}
	}
}

func TestErrorAnswers(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downAddr := closed.Addr().String()
	closed.Close()
	slow := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(time.Second):
		case <-r.Context().Done():
		}
	}))
	p := startProxy(t, bindOnly+
		ship("down", downAddr, `{ path_prefix = "/down" }`)+
		ship("slow", backendAddr(slow), `{ path_prefix = "/slow", read_timeout = "200ms" }`)+
		"[[bays.http]]\nname = \"dock\"\ncommand = \"dock\"\nroutes = [{ path_prefix = \"/bay\" }]\n")
	c := newClient(t)
	cases := []struct {
		name, path string
		status     int
		body       string
	}{
		{"no route", "/nowhere", 404, "404 not found: no route matches this request\n"},
		{"target down", "/down", 502, "502 bad gateway: the target did not answer\n"},
		{"slow target", "/slow", 504, "504 gateway timeout: the target did not answer in time\n"},
	}
	for _, tc := range cases {
		res, body := do(t, c, "GET", p.url+tc.path, "", nil)
		if res.StatusCode != tc.status || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.name, res.StatusCode, body, tc.status, tc.body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if got := p.obs.next(t); got != tc.status {
			t.Errorf("%s: observed %d, want %d", tc.name, got, tc.status)
		}
	}
}

func TestClientCancelReachesTarget(t *testing.T) {
	arrived, canceled := make(chan struct{}), make(chan struct{})
	backend := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		select {
		case <-r.Context().Done():
			close(canceled)
		case <-time.After(5 * time.Second):
		}
	}))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/wait", nil)
	go func() {
		if res, err := newClient(t).Do(req); err == nil {
			res.Body.Close()
		}
	}()
	<-arrived
	cancel()
	select {
	case <-canceled:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend's request was not canceled with the client's")
	}
	if got := p.obs.next(t); got != pipeline.StatusClientClosed {
		t.Errorf("observed %d for a client that left, want %d", got, pipeline.StatusClientClosed)
	}
}

func TestUnixSocketTarget(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "app.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	backend := httptest.NewUnstartedServer(echoHandler("unix"))
	backend.Listener = l
	backend.Start()
	t.Cleanup(backend.Close)
	p := startProxy(t, bindOnly+ship("app", "unix://"+sock, `{ path_prefix = "/" }`))
	res, body := do(t, newClient(t), "GET", p.url+"/over/unix?x=1", "site.test", nil)
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	if s := decodeSeen(t, "unix", body); s.Backend != "unix" || s.Path != "/over/unix" || s.RawQuery != "x=1" || s.Host != "site.test" {
		t.Errorf("backend saw %+v", s)
	}
}

func TestUpstreamRoundRobin(t *testing.T) {
	a := startBackend(t, echoHandler("a"))
	b := startBackend(t, echoHandler("b"))
	p := startProxy(t, bindOnly+"[[mothership.upstreams]]\nname = \"pool\"\nstrategy = \"round_robin\"\nbinds = [\""+
		backendAddr(a)+"\", \""+backendAddr(b)+"\"]\nroutes = [{ path_prefix = \"/\" }]\n")
	c := newClient(t)
	count := map[string]int{}
	var order []string
	for range 6 {
		_, body := do(t, c, "GET", p.url+"/", "", nil)
		s := decodeSeen(t, "round robin", body)
		count[s.Backend]++
		order = append(order, s.Backend)
	}
	if count["a"] != 3 || count["b"] != 3 {
		t.Errorf("round robin: %v over 6 requests, want 3 each", order)
	}
	for i := 1; i < len(order); i++ {
		if order[i] == order[i-1] {
			t.Errorf("round robin: %v, want alternation", order)
			break
		}
	}
}

// TestStreaming checks that a target's flushes reach the client as they
// happen: a chunk arrives while the target still holds the response open.
func TestStreaming(t *testing.T) {
	release := make(chan struct{})
	backend := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: first\n\n")
		http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		io.WriteString(w, "data: last\n\n")
	}))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	res, err := newClient(t).Get(p.url + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "data: first\n" {
		t.Fatalf("first event: %q %v", line, err)
	}
	close(release)
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "\ndata: last\n\n" {
		t.Errorf("rest of the stream: %q %v", rest, err)
	}
}
