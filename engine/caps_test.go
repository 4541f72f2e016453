package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// serveLimited runs an engine answering 200 under limits, on loopback.
func serveLimited(t *testing.T, l Limits, trusted TrustedProxies) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Bind: "http", Limits: l, Trusted: trusted, Handler: handlerFunc(func(x *pipeline.Exchange) {
		x.Response.Header().Set("Content-Length", "2")
		x.Response.Write([]byte("ok"))
	})}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-done
	})
	return s, ln.Addr().String()
}

// keptAlive is a connection that got one answer and stays open.
type keptAlive struct {
	c  net.Conn
	br *bufio.Reader
}

// ask sends a GET on a new connection and reads the status, within wait.
func ask(t *testing.T, addr string, wait time.Duration) (*keptAlive, int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(wait))
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return &keptAlive{c, br}, 0
	}
	io.Copy(io.Discard, res.Body) // a close-delimited answer's Close would leave it unread
	res.Body.Close()
	return &keptAlive{c, br}, res.StatusCode
}

func TestPerClientConnectionCap(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted TrustedProxies
		third   int
	}{
		{"a client over its cap gets 503", nil, 503},
		{"a trusted proxy is not capped", TrustedProxies{netip.MustParsePrefix("127.0.0.0/8")}, 200},
	} {
		s, addr := serveLimited(t, Limits{MaxConnsPerClient: 2}, tc.trusted)
		first, st1 := ask(t, addr, 2*time.Second)
		_, st2 := ask(t, addr, 2*time.Second)
		if st1 != 200 || st2 != 200 {
			t.Fatalf("%s: the first two connections got %d and %d, want 200", tc.name, st1, st2)
		}
		third, st3 := ask(t, addr, 2*time.Second)
		if st3 != tc.third {
			t.Fatalf("%s: the third connection got %d, want %d", tc.name, st3, tc.third)
		}
		if tc.third == 503 {
			if _, err := third.br.ReadByte(); err == nil {
				t.Errorf("%s: the refused connection stays open", tc.name)
			}
			first.c.Close()
			deadline := time.Now().Add(2 * time.Second)
			for s.clientConns(netip.MustParseAddr("127.0.0.1")) > 1 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if _, st := ask(t, addr, 2*time.Second); st != 200 {
				t.Errorf("%s: once one connection closed, a new one got %d, want 200", tc.name, st)
			}
		}
	}
}

// TestTotalConnectionCap checks that at the cap the server stops
// accepting, and takes the waiting connection once one closes.
func TestTotalConnectionCap(t *testing.T) {
	_, addr := serveLimited(t, Limits{MaxConns: 2}, nil)
	first, st1 := ask(t, addr, 2*time.Second)
	_, st2 := ask(t, addr, 2*time.Second)
	if st1 != 200 || st2 != 200 {
		t.Fatalf("the first two connections got %d and %d, want 200", st1, st2)
	}
	waiting, st := ask(t, addr, 200*time.Millisecond)
	if st != 0 {
		t.Fatalf("a third connection at the cap got %d, want to wait", st)
	}
	first.c.Close()
	waiting.c.SetReadDeadline(time.Now().Add(2 * time.Second))
	res, err := http.ReadResponse(waiting.br, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("once one closed, the waiting connection got %v, %v; want 200", res, err)
	}
	if !strings.Contains(res.Header.Get("Content-Length"), "2") {
		t.Errorf("Content-Length %q", res.Header.Get("Content-Length"))
	}
}

// clientConns is how many connections addr holds on s.
func (s *Server) clientConns(addr netip.Addr) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perClient[addr]
}
