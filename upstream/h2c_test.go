package upstream

import (
	"bufio"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// trailerRecorder is a client's writer that takes trailers and tells each
// flush.
type trailerRecorder struct {
	mu      sync.Mutex
	header  pipeline.Header
	trailer pipeline.Header
	status  int
	body    strings.Builder
	flushed chan string
}

func (r *trailerRecorder) Header() *pipeline.Header  { return &r.header }
func (r *trailerRecorder) Trailer() *pipeline.Header { return &r.trailer }
func (r *trailerRecorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *trailerRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(200)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.body.Write(p)
}
func (r *trailerRecorder) Flush() error {
	r.mu.Lock()
	s := r.body.String()
	r.mu.Unlock()
	if r.flushed != nil {
		r.flushed <- s
	}
	return nil
}
func (r *trailerRecorder) Status() int { return r.status }
func (r *trailerRecorder) Written() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int64(r.body.Len())
}

// testConn is a client that stays.
type testConn struct{ aborted bool }

func (c *testConn) Context() context.Context { return context.Background() }
func (c *testConn) ClientGone() bool         { return false }
func (c *testConn) Hijack() (net.Conn, error) {
	return nil, io.ErrUnexpectedEOF
}
func (c *testConn) Abort() { c.aborted = true }

// h2cShip serves h on h2c and returns the stage that forwards to it.
func h2cShip(t *testing.T, h http.HandlerFunc) *h2cForward {
	srv := httptest.NewServer(h2c.NewHandler(h, &http2.Server{}))
	t.Cleanup(srv.Close)
	addr := manifest.Addr{Network: "tcp", Address: srv.Listener.Addr().String()}
	tg := &target{pool: NewPool(addr, time.Second)}
	f := &forward{read: 5 * time.Second, errorLog: log.New(io.Discard, "", 0), name: "test"}
	f.balance.targets = []*target{tg}
	return &h2cForward{f: f, transports: map[*target]*http2.Transport{tg: newTransport(addr, time.Second)}}
}

// TestH2CTrailers: the ship's body and trailers reach a client that takes
// trailers (HTTP/2, or HTTP/1.1 with TE: trailers), and trailers are
// dropped for one that does not.
func TestH2CTrailers(t *testing.T) {
	h := h2cShip(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 || r.Header.Get("Te") != "trailers" {
			http.Error(w, "want HTTP/2 and te: trailers, got "+r.Proto, 400)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/grpc")
		w.Write(b)
		w.Header().Set(http.TrailerPrefix+"Grpc-Status", "5")
	})
	cases := []struct {
		name, proto, te string
		wantTrailer     string
	}{
		{"an HTTP/2 client", pipeline.ProtoHTTP2, "", "5"},
		{"an HTTP/1.1 client with TE: trailers", "HTTP/1.1", "trailers", "5"},
		{"an HTTP/1.1 client without TE", "HTTP/1.1", "", ""},
	}
	for _, c := range cases {
		rec := &trailerRecorder{}
		x := &pipeline.Exchange{Method: "POST", Target: "/svc/Call", RawPath: "/svc/Call", Host: "svc", Proto: c.proto,
			ContentLength: 4, Body: strings.NewReader("ping"), Response: rec, Conn: &testConn{}}
		if c.te != "" {
			x.Header.Add("TE", c.te)
		}
		h.Serve(x, nil)
		if rec.status != 200 || rec.body.String() != "ping" {
			t.Errorf("%s: %d %q, want 200 \"ping\"", c.name, rec.status, rec.body.String())
		}
		if got := rec.trailer.Get("Grpc-Status"); got != c.wantTrailer {
			t.Errorf("%s: trailer grpc-status %q, want %q", c.name, got, c.wantTrailer)
		}
		if got := rec.header.Get("Content-Type"); got != "application/grpc" {
			t.Errorf("%s: content-type %q", c.name, got)
		}
	}
}

// TestH2CStreamsBothWays: the ship's first bytes reach the client before
// the client has sent the rest of its body, and what the client sends
// then reaches the ship while the response is still open.
func TestH2CStreamsBothWays(t *testing.T) {
	h := h2cShip(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello\n")
		w.(http.Flusher).Flush()
		line, _ := bufio.NewReader(r.Body).ReadString('\n')
		io.WriteString(w, "got "+line)
	})
	pr, pw := io.Pipe()
	rec := &trailerRecorder{flushed: make(chan string, 8)}
	x := &pipeline.Exchange{Method: "POST", Target: "/chat", RawPath: "/chat", Host: "svc", Proto: pipeline.ProtoHTTP2,
		ContentLength: -1, Body: pr, Response: rec, Conn: &testConn{}}
	done := make(chan struct{})
	go func() { h.Serve(x, nil); close(done) }()
	select {
	case got := <-rec.flushed:
		if got != "hello\n" {
			t.Fatalf("first flush %q, want \"hello\\n\"", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the ship's first bytes did not reach the client while its body was open")
	}
	io.WriteString(pw, "ping\n")
	pw.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the exchange did not end")
	}
	if got := rec.body.String(); got != "hello\ngot ping\n" {
		t.Errorf("body %q, want \"hello\\ngot ping\\n\"", got)
	}
}

// TestH2CSilentShip: a ship that sends no head within read_timeout is
// answered 504, and one that is not there 502.
func TestH2CSilentShip(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	silent := h2cShip(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	silent.f.read = 300 * time.Millisecond
	gone := h2cShip(t, func(w http.ResponseWriter, r *http.Request) {})
	gone.transports[gone.f.balance.targets[0]] = newTransport(manifest.Addr{Network: "unix", Address: t.TempDir() + "/none.sock"}, time.Second)
	cases := []struct {
		name string
		h    *h2cForward
		want int
	}{
		{"a silent ship", silent, http.StatusGatewayTimeout},
		{"no ship at the address", gone, http.StatusBadGateway},
	}
	for _, c := range cases {
		rec := &trailerRecorder{}
		x := &pipeline.Exchange{Method: "GET", Target: "/", RawPath: "/", Host: "svc", Proto: pipeline.ProtoHTTP2,
			Body: strings.NewReader(""), Response: rec, Conn: &testConn{}}
		c.h.Serve(x, nil)
		if rec.status != c.want {
			t.Errorf("%s: %d, want %d", c.name, rec.status, c.want)
		}
	}
}
