package proxy

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/mothership-go/mothership/telemetry"
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
		{"every stage and forward", allStages(t), "GET /assets/app.css HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\n"},
	}
	// A pool of two checked members: the member state is read on the path.
	pool := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"pool\"\n" +
		"binds = [\"" + cannedBackend(t) + "\", \"" + cannedBackend(t) + "\"]\nroutes = [\"/*\"]\nhealth = { path = \"/ping\", interval = \"1h\" }\n"
	targets := map[string]string{"a checked pool of two": pool}
	cases = append(cases, struct{ name, doc, probe, answer string }{"a checked pool of two", "", "", ""})
	for _, tc := range cases {
		target, ok := targets[tc.name]
		if !ok {
			target = to(cannedBackend(t))
		}
		addr := start(t, tc.doc+target)
		rc := newRawClient(t, addr, browserGet)
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

// browserGet is a browser's GET, which every stage looks at: a User-Agent
// to classify, fields for JA4H, an Accept-Encoding to negotiate.
const browserGet = "GET /ping HTTP/1.1\r\nHost: bench\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,*/*\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\nCookie: session=abc; theme=dark\r\n\r\n"

// allStages turns every stage on for the route /: limits too high to
// refuse, a shield the browser does not match, a static directory /ping
// is not under, the CORS cache (a GET passes it) and compression (the
// answer is too small to encode).
func allStages(tb testing.TB) string {
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.css"), []byte("body{}"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return "[mothership]\ncompression = true\ncors_cache = true\nrate_limiting = { global_rps = 1e9, per_ip_rpm = 1e12 }\n\n" +
		"[[mothership.static_dirs]]\npath = \"" + dir + "\"\nprefix = \"/assets\"\n\n" +
		"[[mothership.shields]]\nja4h_prefix = \"po10\"\n\n"
}

// BenchmarkPipelineEndToEnd times one keep-alive GET through the whole
// path over loopback, client and backend allocation-free, through forward
// alone; BenchmarkPipelineAllStages through every stage as well: the
// difference is what the stages cost.
func BenchmarkPipelineEndToEnd(b *testing.B) { benchmarkPipeline(b, "") }

// BenchmarkPipelineAllStages: see BenchmarkPipelineEndToEnd.
func BenchmarkPipelineAllStages(b *testing.B) { benchmarkPipeline(b, allStages(b)) }

func benchmarkPipeline(b *testing.B, doc string) {
	addr := start(b, doc+to(cannedBackend(b)))
	rc := newRawClient(b, addr, browserGet)
	b.ReportAllocs()
	for b.Loop() {
		rc.roundTrip(b)
	}
}

// lineCounter counts the lines written to it, allocating nothing.
type lineCounter struct{ n atomic.Int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

// TestNoAllocationsWithAccessLog keeps the steady state allocation-free
// with the access log on, in both its formats, and checks that every
// request got its line.
func TestNoAllocationsWithAccessLog(t *testing.T) {
	for _, text := range []bool{false, true} {
		lines := &lineCounter{}
		access := telemetry.NewAccessLog(lines, text)
		addr := startWith(t, to(cannedBackend(t)), Options{Access: access})
		rc := newRawClient(t, addr, browserGet)
		for range 100 {
			rc.roundTrip(t)
		}
		if a := testing.AllocsPerRun(1000, func() { rc.roundTrip(t) }); a != 0 {
			t.Errorf("text %v: %v allocations per request, want 0", text, a)
		}
		access.Close()
		if n := lines.n.Load(); n != 1+100+1001 {
			t.Errorf("text %v: %d access lines, want one per request, %d", text, n, 1+100+1001)
		}
	}
}

// BenchmarkPipelineAccessLog is BenchmarkPipelineEndToEnd with the access
// log on (JSON, to a writer that drops it): the difference is what the
// access log costs a request.
func BenchmarkPipelineAccessLog(b *testing.B) {
	access := telemetry.NewAccessLog(io.Discard, false)
	defer access.Close()
	addr := startWith(b, to(cannedBackend(b)), Options{Access: access})
	rc := newRawClient(b, addr, browserGet)
	b.ReportAllocs()
	for b.Loop() {
		rc.roundTrip(b)
	}
}
