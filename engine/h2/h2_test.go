package h2

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"

	"github.com/mothership-go/mothership/pipeline"
)

// handlerFunc makes a function a pipeline.Handler.
type handlerFunc func(x *pipeline.Exchange)

func (f handlerFunc) Serve(x *pipeline.Exchange) { f(x) }

// serve listens on a free port and serves every connection with h2.
func serve(t *testing.T, cfg Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	cfg.Scheme = "http"
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); Serve(nc, nil, cfg) }()
		}
	}()
	return ln.Addr().String()
}

// client is an h2c client over plain TCP, as gRPC clients are.
func client() *http.Client {
	return &http.Client{Transport: &http2.Transport{
		AllowHTTP: true,
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}, Timeout: 20 * time.Second}
}

// echo answers with the request's line, its fields in order, its JA4H's
// first part and its body's length and hash, and a trailer.
var echo = handlerFunc(func(x *pipeline.Exchange) {
	var names []string
	for _, f := range x.Header.Fields() {
		names = append(names, f.Name)
	}
	sum := sha256.New()
	n, err := io.Copy(sum, x.Body)
	if err != nil {
		pipeline.AnswerBadBody.Write(x.Response)
		return
	}
	x.Response.Header().Set("Content-Type", "text/plain")
	x.Response.(pipeline.TrailerWriter).Trailer().Set("Grpc-Status", "0")
	fmt.Fprintf(x.Response, "%s %s %s %s host=%s\n%s\n%s\n%d %x\n", x.Method, x.Path, x.RawQuery, x.Proto, x.Host,
		strings.Join(names, ","), x.JA4H()[:12], n, sum.Sum(nil))
})

func TestExchanges(t *testing.T) {
	addr := serve(t, Config{Handler: echo})
	big := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16) // 4 MiB: past every window
	cases := []struct {
		name, method, path string
		fields             [][2]string
		body               []byte
		want               []string
	}{
		{"GET", "GET", "/a%20b?q=1", [][2]string{{"X-One", "1"}, {"Accept", "*/*"}, {"X-Two", "2"}}, nil,
			[]string{"GET /a b q=1 HTTP/2.0 host=" + addr, "accept-encoding", "ge20nn05"}},
		{"POST with body", "POST", "/p", nil, []byte("hello"),
			[]string{"POST /p  HTTP/2.0", "content-length", fmt.Sprintf("5 %x", sha256.Sum256([]byte("hello")))}},
		{"large body, flow control both ways", "PUT", "/big", nil, big,
			[]string{fmt.Sprintf("%d %x", len(big), sha256.Sum256(big))}},
	}
	c := client()
	t.Cleanup(c.CloseIdleConnections) // before serve's cleanup: the server then sees the client leave
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, "http://"+addr+tc.path, bytes.NewReader(tc.body))
		for _, f := range tc.fields {
			req.Header.Add(f[0], f[1])
		}
		if tc.body == nil {
			req.Body = nil
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || resp.ProtoMajor != 2 {
			t.Fatalf("%s: %d HTTP/%d %v", tc.name, resp.StatusCode, resp.ProtoMajor, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(string(got), w) {
				t.Errorf("%s: answer %.300q lacks %q", tc.name, got, w)
			}
		}
		if resp.Trailer.Get("Grpc-Status") != "0" {
			t.Errorf("%s: trailers %v, want Grpc-Status 0", tc.name, resp.Trailer)
		}
	}
}
