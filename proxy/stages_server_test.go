package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/engine"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// shutdownNow shuts p down with a bounded drain.
func shutdownNow(p *proxy) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return p.srv.Shutdown(ctx)
}

func TestShutdownDrains(t *testing.T) {
	arrived := make(chan struct{})
	answered := make(chan time.Time, 1)
	backend := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		time.Sleep(500 * time.Millisecond)
		answered <- time.Now()
		io.WriteString(w, "finished")
	}))
	p := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		res, err := newClient(t).Get(p.url + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		done <- result{res.StatusCode, string(b), err}
	}()
	<-arrived
	shut := make(chan error, 1)
	var shutAt time.Time
	go func() {
		err := shutdownNow(p)
		shutAt = time.Now()
		shut <- err
	}()

	// New connections are refused once Shutdown has started. One dialed
	// as the listener closes may be reset first; keep dialing until the
	// port refuses.
	refused := false
	var dialErr error
	for deadline := time.Now().Add(3 * time.Second); !refused && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		c, err := net.Dial("tcp", p.addr)
		if err != nil {
			refused, dialErr = errors.Is(err, syscall.ECONNREFUSED), err
			continue
		}
		c.Close()
	}
	if !refused {
		t.Errorf("new connections were not refused after Shutdown started (last dial: %v)", dialErr)
	}
	r := <-done
	if r.err != nil || r.status != 200 || r.body != "finished" {
		t.Errorf("in-flight request: %d %q %v, want 200 \"finished\"", r.status, r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	// The engine may close the drained connection as the client reads its
	// last bytes, so the two can end together; what counts is that the
	// drain waited for the backend's answer.
	if at := <-answered; shutAt.Before(at) {
		t.Errorf("Shutdown returned %v before the backend answered the in-flight request", at.Sub(shutAt))
	}
	select {
	case err := <-p.served:
		p.served <- err // for the cleanup's check
	case <-time.After(5 * time.Second):
		t.Errorf("Serve did not return after Shutdown")
	}
}

func TestServerLimits(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	doc := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nproxied = { addr = \"127.0.0.1:2\", proxy_protocol = true }\n\n" +
		ship("app", backendAddr(backend), `{ path_prefix = "/" }`)
	p := startProxy(t, doc, func(s *Server) { s.limits.ReadHeaderTimeout = 100 * time.Millisecond })

	t.Run("header too large", func(t *testing.T) {
		res, _ := do(t, newClient(t), "GET", p.url+"/", "", http.Header{"X-Big": {strings.Repeat("a", engine.DefaultMaxHeaderBytes+8<<10)}})
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", res.StatusCode)
		}
	})
	for _, tc := range []struct{ name, addr string }{
		{"silent client", p.addr},
		{"silent client on a PROXY protocol bind", p.srv.Addr("proxied").String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", tc.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			// Far above the 100 ms under test (twice that on a PROXY bind:
			// the header's wait, then the request head's).
			conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err = conn.Read(make([]byte, 1))
			if err == nil || isTimeout(err) {
				t.Errorf("a client that sent nothing was not disconnected: read gave %v", err)
			}
		})
	}
}

func TestProxyProtocol(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	p := startProxy(t, "[mothership.bind]\nhttp = { addr = \"127.0.0.1:1\", proxy_protocol = true }\n\n"+
		ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	v2 := []byte("\r\n\r\n\x00\r\nQUIT\n")
	v2 = append(v2, 0x21, 0x11, 0x00, 12, // v2 PROXY, TCP over IPv4, 12 address bytes
		203, 0, 113, 7, // source
		127, 0, 0, 1, // destination
		0x30, 0x39, // source port 12345
		0x00, 0x50) // destination port 80
	cases := []struct {
		name    string
		header  []byte
		wantFor string
	}{
		{"v1", []byte("PROXY TCP4 198.51.100.9 127.0.0.1 5555 80\r\n"), "198.51.100.9"},
		{"v1 IPv6", []byte("PROXY TCP6 2001:db8::1 ::1 5555 80\r\n"), "2001:db8::1"},
		{"v2", v2, "203.0.113.7"},
		{"plain connection", nil, "127.0.0.1"},
	}
	for _, tc := range cases {
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		conn.Write(append(tc.header, "GET /who HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n"...))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			conn.Close()
			continue
		}
		body, _ := io.ReadAll(res.Body)
		conn.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d %q", tc.name, res.StatusCode, body)
			continue
		}
		if got := decodeSeen(t, tc.name, string(body)).Header.Get("X-Forwarded-For"); got != tc.wantFor {
			t.Errorf("%s: X-Forwarded-For %q, want %q", tc.name, got, tc.wantFor)
		}
	}
}

func TestUnixBind(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	sock := filepath.Join(t.TempDir(), "ms.sock")
	// A socket file left by a mothership that died: nobody answers on it.
	stale, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	stale.SetUnlinkOnClose(false)
	stale.Close()
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("the stale socket is gone before the test: %v", err)
	}
	p := startProxy(t, "[mothership.bind]\nhttp = \"unix://"+sock+"\"\n\n"+
		ship("app", backendAddr(backend), `{ path_prefix = "/" }`, `{ pattern = "/spoof" }`))
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	defer c.CloseIdleConnections()
	res, body := do(t, c, "GET", "http://site.test/over/unix", "", http.Header{"X-Forwarded-For": {"6.6.6.6"}})
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	s := decodeSeen(t, "unix bind", body)
	if s.Path != "/over/unix" {
		t.Errorf("backend saw path %q", s.Path)
	}
	if v, ok := s.Header["X-Forwarded-For"]; ok {
		t.Errorf("a Unix-socket peer's X-Forwarded-For reached the backend: %q", v)
	}
	if p.srv.Addr("http").Network() != "unix" {
		t.Errorf("Addr: %v", p.srv.Addr("http"))
	}
}

func TestListenErrors(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	notSocket := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notSocket, nil, 0o600)
	live := filepath.Join(t.TempDir(), "live.sock")
	ll, err := net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer ll.Close()
	cases := []struct {
		name, bind string
		want       []string
	}{
		{"port in use", taken.Addr().String(), []string{`bind "http"`, "address already in use"}},
		{"path is a file", "unix://" + notSocket, []string{`bind "http"`, "is not a socket"}},
		{"socket in use", "unix://" + live, []string{`bind "http"`, "in use"}},
	}
	for _, tc := range cases {
		m := parseManifest(t, "[mothership.bind]\nhttp = \""+tc.bind+"\"\n")
		tree, err := routetree.Compile(m)
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(m, tree, Options{Resolve: upstream.ManifestResolver(m)})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Listen()
		if err == nil {
			s.Shutdown(context.Background())
			t.Errorf("%s: Listen succeeded", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.name, err, w)
			}
		}
	}
	if _, err := os.Stat(notSocket); err != nil {
		t.Errorf("Listen removed a file that is not a socket: %v", err)
	}
}

func TestServeBeforeListen(t *testing.T) {
	m := parseManifest(t, bindOnly)
	tree, _ := routetree.Compile(m)
	s, err := New(m, tree, Options{Resolve: upstream.ManifestResolver(m)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(); err == nil {
		t.Error("Serve before Listen succeeded")
	}
	if _, err := New(m, tree, Options{}); err == nil {
		t.Error("New without Resolve succeeded")
	}
	if a := s.Addr("http"); a != nil {
		t.Errorf("Addr before Listen: %v", a)
	}
}
