package stages

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/routetree"
)

// allStagesDoc turns on every stage for the route /: limits too high to
// refuse, a shield that does not match, a static directory the path is not
// under, the CORS cache (a GET passes it) and compression (the answer is
// too small to encode).
const allStagesDoc = `
[mothership]
compression = true
cors_cache = true
rate_limiting = { global_rps = 1e9, per_ip_rpm = 1e12 }

[mothership.bind]
http = "127.0.0.1:1"

[[mothership.static_dirs]]
path = "STATIC"
prefix = "/assets"

[[mothership.shields]]
ja4h_prefix = "po10"

[[fleet.web]]
name = "app"
command = "app"
bind = "127.0.0.1:9"
routes = [{ path_prefix = "/" }]
`

// smallAnswer stands in for forward: the 13-byte answer of the benchmark
// backend, with its Content-Length, as a ship sends it.
type smallAnswer struct{}

var (
	smallAnswerLength = []string{"13"}
	smallAnswerBody   = []byte("hello, world\n")
)

func (smallAnswer) Serve(x *Exchange, _ Handler) {
	x.Response.Header()["Content-Length"] = smallAnswerLength
	x.Response.WriteHeader(http.StatusOK)
	x.Response.Write(smallAnswerBody)
}

// browserHead is a browser's request head as the connection records it.
const browserHead = "GET /ping HTTP/1.1\r\nHost: site.test\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,*/*\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\nCookie: session=abc; theme=dark\r\n\r\n"

// stagedEngine is the engine of allStagesDoc's bind with the route's real
// stages, all of them or none, ending in smallAnswer, and the request that
// goes through it: the measured work is ours, not net/http's.
func stagedEngine(tb testing.TB, all bool) (serve func(), w *fakeWriter) {
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.css"), []byte("body{}"), 0o644); err != nil {
		tb.Fatal(err)
	}
	doc := allStagesDoc
	if !all {
		doc = bindOnly + ship("app", "127.0.0.1:9", `{ path_prefix = "/" }`)
	}
	m := parseManifest(tb, strings.ReplaceAll(doc, "STATIC", dir))
	tree, err := routetree.Compile(m)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := newCompiler(m, tree, Options{Resolve: ManifestResolver(m)}, nopObserver{}, transports{}, discardLog())
	if err != nil {
		tb.Fatal(err)
	}
	r := tree.Binds[0].Routes[0]
	var stages []Stage
	for _, build := range stageOrder[:len(stageOrder)-1] {
		s, err := build(c, r)
		if err != nil {
			tb.Fatal(err)
		}
		if s != nil {
			stages = append(stages, s)
		}
	}
	if want := map[bool]int{true: 5, false: 0}[all]; len(stages) != want {
		tb.Fatalf("all=%v: %d stages before forward, want %d", all, len(stages), want)
	}
	e := &engine{
		bind:     "http",
		tree:     tree.Binds[0],
		pipes:    []*pipeline{{first: chain(append(stages, smallAnswer{})), obs: nopObserver{}}},
		noRoute:  nopObserver{},
		upgrades: &upgrades{},
	}
	hc := &headConn{limit: 1 << 20}
	req := httptest.NewRequest("GET", "http://site.test/ping", nil)
	req.RemoteAddr = "203.0.113.9:4321"
	req.Header = http.Header{
		"User-Agent":      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"},
		"Accept":          {"text/html,*/*"},
		"Accept-Encoding": {"gzip, deflate, br"},
		"Accept-Language": {"en-US,en;q=0.9"},
		"Cookie":          {"session=abc; theme=dark"},
	}
	req = req.WithContext(context.WithValue(req.Context(), connKey{}, &conn{head: hc}))
	w = &fakeWriter{header: http.Header{}}
	return func() {
		hc.scan([]byte(browserHead))
		clear(w.header)
		e.ServeHTTP(w, req)
	}, w
}

// TestAllStagesNoAllocations guards a request through every stage that
// passes it on: rate limit, shields (JA4H of the raw head), static (not
// under the directory), CORS (not a preflight) and compression (negotiated,
// then skipped for a small body).
func TestAllStagesNoAllocations(t *testing.T) {
	serve, w := stagedEngine(t, true)
	serve()
	if w.status != http.StatusOK || w.header.Get("Content-Encoding") != "" {
		t.Fatalf("through every stage: status %d, Content-Encoding %q; want 200 and none", w.status, w.header.Get("Content-Encoding"))
	}
	if a := testing.AllocsPerRun(1000, serve); a != 0 {
		t.Errorf("a request through every stage: %v allocs, want 0", a)
	}
}

// BenchmarkStages measures a request's dispatch through the engine and its
// route's stages, ending in a stand-in for forward: "none" is the route
// without stages, "all" with every stage on; all minus none is what the
// stages cost on top of forwarding.
func BenchmarkStages(b *testing.B) {
	for _, tc := range []struct {
		name string
		all  bool
	}{{"none", false}, {"all", true}} {
		b.Run(tc.name, func(b *testing.B) {
			serve, _ := stagedEngine(b, tc.all)
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}
