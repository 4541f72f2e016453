package engine

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// handlerFunc adapts a function to pipeline.Handler.
type handlerFunc func(x *pipeline.Exchange)

func (f handlerFunc) Serve(x *pipeline.Exchange) { f(x) }

// serve runs an engine with h on a loopback port.
func serve(t *testing.T, h handlerFunc) (*Server, string) {
	t.Helper()
	return serveServer(t, &Server{Bind: "http", Handler: h})
}

// serveServer runs s on a loopback port until the test ends.
func serveServer(t *testing.T, s *Server) (*Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, ln.Addr().String()
}

func roundTrip(t *testing.T, addr, req string) (string, bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, req)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, &http.Request{Method: strings.Fields(req)[0]})
	if err != nil {
		t.Fatalf("reading the answer to %q: %v", req, err)
	}
	b, err := io.ReadAll(resp.Body)
	var head strings.Builder
	resp.Header.Del("Date")
	fmt.Fprintf(&head, "%d %v cl=%d close=%v", resp.StatusCode, resp.TransferEncoding, resp.ContentLength, resp.Close)
	if err != nil {
		return head.String() + " body-error", false
	}
	// Is the connection still open? A second read times out if so.
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	_, rerr := br.ReadByte()
	open := rerr != nil && strings.Contains(rerr.Error(), "timeout")
	return head.String() + " " + string(b), open
}

func TestResponseFraming(t *testing.T) {
	_, addr := serve(t, func(x *pipeline.Exchange) {
		w := x.Response
		switch x.Path {
		case "/length":
			w.Header().Set("Content-Length", "5")
			w.Write([]byte("hello"))
		case "/stream":
			w.Write([]byte("hel"))
			w.Flush()
			w.Write([]byte("lo"))
		case "/short":
			w.Header().Set("Content-Length", "10")
			w.Write([]byte("hello"))
		case "/long":
			w.Header().Set("Content-Length", "2")
			w.Write([]byte("hello"))
		case "/framing-fields":
			w.Header().Set("Transfer-Encoding", "gzip")
			w.Header().Set("Connection", "keep-alive")
			w.Header().Set("Content-Length", "2")
			w.Write([]byte("ok"))
		case "/forged":
			w.Header().Add("X-Evil", "a\r\nSet-Cookie: stolen")
			w.Header().Set("Content-Length", "2")
			w.Write([]byte("ok"))
		case "/nothing":
		}
	})
	cases := []struct {
		name, req, want string
		open            bool
	}{
		{"length kept", "GET /length HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=5 close=false hello", true},
		{"no length: chunked for 1.1", "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n", "200 [chunked] cl=-1 close=false hello", true},
		{"no length: close-delimited for 1.0", "GET /stream HTTP/1.0\r\n\r\n", "200 [] cl=-1 close=true hello", false},
		{"1.0 keep-alive asked", "GET /length HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "200 [] cl=5 close=false hello", true},
		{"client asks close", "GET /length HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "200 [] cl=5 close=true hello", false},
		{"short body cuts the connection", "GET /short HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=10 close=false body-error", false},
		{"long body cut at its length", "GET /long HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=2 close=false he", false},
		{"stage's framing fields dropped", "GET /framing-fields HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=2 close=false ok", true},
		{"a value with a line break dropped", "GET /forged HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=2 close=false ok", true},
		{"no answer: empty 200", "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=0 close=false ", true},
		{"HEAD keeps the length, sends no body", "HEAD /length HTTP/1.1\r\nHost: x\r\n\r\n", "200 [] cl=5 close=false ", true},
	}
	for _, tc := range cases {
		got, open := roundTrip(t, addr, tc.req)
		if got != tc.want || open != tc.open {
			t.Errorf("%s: got %q (open %v), want %q (open %v)", tc.name, got, open, tc.want, tc.open)
		}
	}
}

func TestExchangeFields(t *testing.T) {
	got := make(chan string, 1)
	_, addr := serve(t, func(x *pipeline.Exchange) {
		got <- fmt.Sprintf("%s|%s|%s|%s|%s|%s|%d|%s|%d|%s|%s", x.Method, x.Target, x.Path, x.RawPath, x.RawQuery, x.Host, x.ProtoMinor, x.UserAgent, x.Header.Len(), x.Client, x.JA4H()[:12])
	})
	roundTrip(t, addr, "GET /a%2Fb%20c?x=1 HTTP/1.1\r\nHost: h:1\r\nUser-Agent: ua\r\nAccept: */*\r\n\r\n")
	want := "GET|/a%2Fb%20c?x=1|/a/b c|/a%2Fb%20c|x=1|h:1|1|ua|3|127.0.0.1|ge11nn030000"
	if g := <-got; g != want {
		t.Errorf("got %s\nwant %s", g, want)
	}
}

func TestShutdownDrainsInFlightAndClosesIdle(t *testing.T) {
	release := make(chan struct{})
	s, addr := serve(t, func(x *pipeline.Exchange) {
		if x.Path == "/slow" {
			<-release
		}
		x.Response.Header().Set("Content-Length", "2")
		x.Response.Write([]byte("ok"))
	})
	idle, _ := net.Dial("tcp", addr)
	defer idle.Close()
	io.WriteString(idle, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	ibr := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(ibr, nil); err != nil {
		t.Fatal(err)
	} else {
		io.ReadAll(resp.Body)
	}
	busy, _ := net.Dial("tcp", addr)
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := ibr.ReadByte(); err != io.EOF {
		t.Errorf("the idle connection: got %v, want it closed at once", err)
	}
	close(release)
	busy.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil || resp.StatusCode != 200 || !resp.Close {
		t.Fatalf("the in-flight request: got %v %v, want 200 with Connection: close", resp, err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// StopAccepting frees the port before it returns, while a kept-alive
// connection still gets its last request answered (with Connection:
// close), as in Shutdown's idle grace; Serve returns nil (serve's cleanup).
func TestStopAcceptingClosesThePortAtOnce(t *testing.T) {
	s, addr := serve(t, func(x *pipeline.Exchange) {
		x.Response.Header().Set("Content-Length", "2")
		x.Response.Write([]byte("ok"))
	})
	kept, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	kept.SetDeadline(time.Now().Add(3 * time.Second))
	br := bufio.NewReader(kept)
	ask := func(name string, wantClose bool) {
		t.Helper()
		io.WriteString(kept, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || resp.Close != wantClose {
			t.Errorf("%s: %d, close %v; want 200, close %v", name, resp.StatusCode, resp.Close, wantClose)
		}
	}
	ask("before StopAccepting", false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.StopAccepting(ctx)
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("a connect after StopAccepting returned was accepted")
	}
	ask("the kept connection after StopAccepting", true)
}

func TestInterimAndHijack(t *testing.T) {
	_, addr := serve(t, func(x *pipeline.Exchange) {
		x.Response.Header().Set("Link", "</a.css>; rel=preload")
		x.Response.WriteHeader(103)
		x.Response.Header().Set("Upgrade", "echo")
		x.Response.WriteHeader(101)
		c, err := x.Conn.Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		io.Copy(c, io.LimitReader(c, 4))
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	// The first bytes of the upgraded protocol come with the head.
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\nab")
	br := bufio.NewReader(c)
	head, _ := br.ReadString('\n')
	if head != "HTTP/1.1 103 Early Hints\r\n" {
		t.Fatalf("first head %q, want 103", head)
	}
	for line, _ := br.ReadString('\n'); line != "\r\n"; line, _ = br.ReadString('\n') {
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("got %v %v, want 101 Upgrade: echo", resp, err)
	}
	io.WriteString(c, "cd")
	echo, _ := io.ReadAll(br)
	if string(echo) != "abcd" {
		t.Errorf("echo %q, want abcd", echo)
	}
}
