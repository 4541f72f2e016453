package proxy

import (
	"bytes"
	"net"
	"testing"
)

// cannedBackend answers every read with one fixed response: a backend
// that allocates nothing, so that an allocation count of the process is
// the proxy's alone.
func cannedBackend(t testing.TB) string {
	answer := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n")
	return rawBackend(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			// One write per request head read (the proxy sends no body).
			for range bytes.Count(buf[:n], []byte("\r\n\r\n")) {
				if _, err := c.Write(answer); err != nil {
					return
				}
			}
		}
	})
}

// rawClient sends a fixed request and reads its fixed-size answer,
// allocating nothing per request.
type rawClient struct {
	c    net.Conn
	req  []byte
	buf  []byte
	want int
}

func newRawClient(t testing.TB, addr, req string) *rawClient {
	c, _ := dial(t, addr)
	rc := &rawClient{c: c, req: []byte(req), buf: make([]byte, 8192)}
	rc.want = rc.roundTrip(t)
	return rc
}

// roundTrip sends the request and reads until the body's end, returning
// the answer's length; the first call learns it.
func (rc *rawClient) roundTrip(t testing.TB) int {
	if _, err := rc.c.Write(rc.req); err != nil {
		t.Fatal(err)
	}
	got := 0
	for {
		n, err := rc.c.Read(rc.buf[got:])
		if err != nil {
			t.Fatalf("reading the answer: %v", err)
		}
		got += n
		if rc.want > 0 && got >= rc.want || rc.want == 0 && bytes.HasSuffix(rc.buf[:got], []byte("hello, world\n")) {
			if !bytes.HasPrefix(rc.buf, []byte("HTTP/1.1 200 OK\r\n")) {
				t.Fatalf("answer %q", rc.buf[:got])
			}
			return got
		}
	}
}

// TestNoAllocationsPerRequest proves the steady state: a GET through the
// engine, the pipeline and the upstream pool to a backend and back costs
// no allocation.
func TestNoAllocationsPerRequest(t *testing.T) {
	cases := []struct{ name, doc, probe, answer string }{
		{"forward alone", "", "", ""},
		{"rate limit, shields, CORS and forward", "[mothership]\ncors_cache = true\nrate_limiting = { global_rps = 1000000, per_ip_rpm = 100000000 }\n\n[[mothership.shields]]\nname = \"no-llm\"\nua_filter = \"llm\"\n\n",
			"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: GPTBot/1.0\r\n\r\n", "HTTP/1.1 403 Forbidden\r\n"},
	}
	for _, tc := range cases {
		addr := start(t, tc.doc+to(cannedBackend(t)))
		rc := newRawClient(t, addr, "GET /ping HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
		for range 100 {
			rc.roundTrip(t)
		}
		if a := testing.AllocsPerRun(1000, func() { rc.roundTrip(t) }); a != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tc.name, a)
		}
		if tc.probe != "" { // the stages are on the path: a crawler is refused
			c, br := dial(t, addr)
			c.Write([]byte(tc.probe))
			if line, _ := br.ReadString('\n'); line != tc.answer {
				t.Errorf("%s: the probe got %q, want %q", tc.name, line, tc.answer)
			}
		}
	}
}

// BenchmarkPipelineEndToEnd times one keep-alive GET through the whole
// path over loopback, client and backend allocation-free.
func BenchmarkPipelineEndToEnd(b *testing.B) {
	addr := start(b, to(cannedBackend(b)))
	rc := newRawClient(b, addr, "GET /ping HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		rc.roundTrip(b)
	}
}
