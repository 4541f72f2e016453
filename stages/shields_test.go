package stages

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mothership-go/mothership/routetree"
)

// countingBackend counts the requests it gets.
func countingBackend(t *testing.T) (string, *atomic.Int32) {
	n := &atomic.Int32{}
	ts := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-Got", strings.Join(r.Header.Values("X-Ja4h"), "|"))
		w.Write([]byte("backend"))
	}))
	return backendAddr(ts), n
}

func shieldDoc(lines ...string) string {
	return "[[mothership.shields]]\n" + strings.Join(lines, "\n") + "\n\n"
}

func TestShieldsBlackBox(t *testing.T) {
	addr, hits := countingBackend(t)
	doc := bindOnly +
		shieldDoc(`name = "curl"`, `ua_filter = "bot"`, `status = 429`) +
		shieldDoc(`name = "prefix"`, `ja4h_prefix = "po11"`) +
		shieldDoc(`name = "move"`, `ja4h_prefix = "de11"`, `action = "redirect"`, `location = "https://elsewhere.test/"`) +
		shieldDoc(`name = "chrome-only"`, `ua_filter = "chromium"`, `ja4h_prefix = "pu"`, `status = 451`) +
		ship("app", addr, `{ path_prefix = "/" }`)
	p := startProxy(t, doc)
	c := newClient(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	chrome := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"

	cases := []struct {
		name, method, ua string
		status           int
		location         string
		reaches          bool
	}{
		{"browser GET passes", "GET", chrome, 200, "", true},
		{"curl is a bot: blocked", "GET", "curl/8.7.1", 429, "", false},
		{"POST over HTTP/1.1: prefix blocks", "POST", chrome, 403, "", false},
		{"DELETE: redirected", "DELETE", chrome, 302, "https://elsewhere.test/", false},
		{"PUT from chromium: both conditions", "PUT", chrome, 451, "", false},
		{"PUT from firefox: one condition only", "PUT", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 200, "", true},
	}
	for _, tc := range cases {
		before := hits.Load()
		res, body := do(t, c, tc.method, p.url+"/x", "site.test", http.Header{"User-Agent": {tc.ua}})
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d (%q)", tc.name, res.StatusCode, tc.status, body)
		}
		if got := res.Header.Get("Location"); got != tc.location {
			t.Errorf("%s: Location %q, want %q", tc.name, got, tc.location)
		}
		if reached := hits.Load() > before; reached != tc.reaches {
			t.Errorf("%s: backend reached = %v, want %v", tc.name, reached, tc.reaches)
		}
		if !tc.reaches && (res.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.HasPrefix(body, fmt.Sprint(tc.status))) {
			t.Errorf("%s: answer %q %q, want a short plain body", tc.name, res.Header.Get("Content-Type"), body)
		}
		if got := res.Header.Get("X-Got"); tc.reaches && (len(got) != JA4HLen || !strings.HasPrefix(got, strings.ToLower(tc.method[:2])+"11")) {
			t.Errorf("%s: backend got X-JA4H %q", tc.name, res.Header.Get("X-Got"))
		}
	}
}

func TestShieldExactFingerprintAndSpoof(t *testing.T) {
	// The head Go's client sends for this request, in its order.
	head := "GET /x HTTP/1.1\r\nHost: site.test\r\nUser-Agent: probe\r\nX-Ja4h: spoofed\r\nAccept-Encoding: gzip\r\n\r\n"
	fp := fingerprintOf(head)
	addr, hits := countingBackend(t)
	p := startProxy(t, bindOnly+shieldDoc(`name = "exact"`, `ja4h = "`+fp+`"`)+ship("app", addr, `{ path_prefix = "/" }`))
	c := newClient(t)
	res, _ := do(t, c, "GET", p.url+"/x", "site.test", http.Header{"User-Agent": {"probe"}, "X-Ja4h": {"spoofed"}})
	if res.StatusCode != 403 || hits.Load() != 0 {
		t.Errorf("exact fingerprint %s: status %d, backend hits %d; want 403 and none", fp, res.StatusCode, hits.Load())
	}
	// Another order of the same headers is another fingerprint: it passes,
	// and the ship gets our fingerprint, not the client's.
	res, _ = do(t, c, "GET", p.url+"/x", "site.test", http.Header{"User-Agent": {"probe"}, "X-Ja4h": {"spoofed"}, "Accept": {"*/*"}})
	if res.StatusCode != 200 {
		t.Fatalf("other fingerprint: status %d", res.StatusCode)
	}
	if got := res.Header.Get("X-Got"); len(got) != JA4HLen || got == fp || strings.Contains(got, "spoofed") {
		t.Errorf("backend got X-JA4H %q; want our own fingerprint only", got)
	}
}

func TestShieldsBindAndNoStage(t *testing.T) {
	addr, _ := countingBackend(t)
	doc := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nother = \"127.0.0.1:2\"\n\n" +
		shieldDoc(`name = "other only"`, `ua_filter = "bot"`, `bind = "other"`) +
		ship("app", addr, `{ path_prefix = "/" }`, `{ bind = "other", path_prefix = "/" }`)
	p := startProxy(t, doc)
	// The rule is for the other bind: curl passes on http, whose route has
	// no shields stage, and a spoofed X-JA4H is still dropped.
	res, _ := do(t, newClient(t), "GET", p.url+"/", "site.test", http.Header{"User-Agent": {"curl/8"}, "X-Ja4h": {"spoofed"}})
	if res.StatusCode != 200 || res.Header.Get("X-Got") != "" {
		t.Errorf("on bind http: %d, X-JA4H %q; want 200 and none", res.StatusCode, res.Header.Get("X-Got"))
	}
	other := "http://" + p.srv.Addr("other").String()
	if res, _ := do(t, newClient(t), "GET", other+"/", "site.test", http.Header{"User-Agent": {"curl/8"}}); res.StatusCode != 403 {
		t.Errorf("on bind other: %d, want 403", res.StatusCode)
	}
}

// builtStages compiles the manifest's routes with the options and reports
// whether each route got the shields stage.
func builtStages(t *testing.T, doc string, debug DebugFunc) []bool {
	m := parseManifest(t, doc)
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(m, tree, Options{Resolve: ManifestResolver(m), Debug: debug})
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, b := range s.binds {
		for _, r := range b.engine.tree.Routes {
			l, ok := b.engine.pipes[r.Index].first.(*link)
			_, isShields := l.stage.(*shields)
			got = append(got, ok && isShields)
		}
	}
	return got
}

func TestShieldsStageOnlyWhereNeeded(t *testing.T) {
	routes := ship("app", "127.0.0.1:9", `{ path_prefix = "/" }`)
	if got := builtStages(t, bindOnly+routes, nil); got[0] {
		t.Error("no rules, no debug: the route got the shields stage")
	}
	if got := builtStages(t, bindOnly+routes, func(string, ...any) {}); !got[0] {
		t.Error("debug on: the route has no shields stage")
	}
	if got := builtStages(t, bindOnly+shieldDoc(`ua_filter = "llm"`)+routes, nil); !got[0] {
		t.Error("a rule for every bind: the route has no shields stage")
	}
	if got := builtStages(t, "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nother = \"127.0.0.1:2\"\n\n"+shieldDoc(`ua_filter = "llm"`, `bind = "other"`)+routes, nil); got[0] {
		t.Error("a rule for another bind: the route got the shields stage")
	}
}

func TestShieldsDebugLog(t *testing.T) {
	addr, _ := countingBackend(t)
	m := parseManifest(t, bindOnly+ship("app", addr, `{ path_prefix = "/" }`))
	m.Mothership.Binds[0].Addr.Address = "127.0.0.1:0"
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var lines []string
	debug := func(msg string, kv ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, strings.TrimSpace(fmt.Sprintln(append([]any{msg}, kv...)...)))
	}
	s, err := New(m, tree, Options{Resolve: ManifestResolver(m), Debug: debug})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	go s.Serve()
	defer s.Shutdown(context.Background())
	res, _ := do(t, newClient(t), "GET", "http://"+s.Addr("http").String()+"/", "site.test", http.Header{"User-Agent": {"curl/8"}})
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 1 || !strings.Contains(lines[0], "method GET path / ua bot shields ge11nn03") {
		t.Errorf("debug log %q", lines)
	}
}

// TestShieldsNoAllocations guards the stage's work per request, debug
// off: fingerprint, header, UA class and rule checks.
func TestShieldsNoAllocations(t *testing.T) {
	m := parseManifest(t, bindOnly+shieldDoc(`ua_filter = "llm"`)+shieldDoc(`ja4h_prefix = "po"`)+ship("app", "127.0.0.1:9", `{ path_prefix = "/" }`))
	rules := []*shieldRule{}
	for _, s := range m.Mothership.Shields {
		r, err := newShieldRule(s)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	stage := &shields{rules: rules, needUA: true}
	head := ja4hVectors[0].head
	hc := &headConn{limit: 1 << 20}
	c := &conn{head: hc}
	x := &Exchange{
		Method: "GET", Path: "/", Header: http.Header{"User-Agent": {"Mozilla/5.0 Chrome/120"}},
		Response: &fakeWriter{header: http.Header{}},
		ctx:      context.WithValue(context.Background(), connKey{}, c),
	}
	next := chain([]Stage{answering{}})
	serve := func() {
		hc.scan(head)
		hc.next()
		stage.Serve(x, next)
	}
	serve()
	if a := testing.AllocsPerRun(1000, serve); a != 0 {
		t.Errorf("shields stage: %v allocs per request, want 0", a)
	}
	if got := x.Header.Get("X-Ja4h"); got != ja4hVectors[0].want {
		t.Errorf("X-JA4H %q, want %q", got, ja4hVectors[0].want)
	}
}

func BenchmarkShieldsStage(b *testing.B) {
	hc := &headConn{limit: 1 << 20}
	x := &Exchange{
		Method: "GET", Path: "/", Header: http.Header{"User-Agent": {"Mozilla/5.0 Chrome/120"}},
		Response: &fakeWriter{header: http.Header{}},
		ctx:      context.WithValue(context.Background(), connKey{}, &conn{head: hc}),
	}
	stage := &shields{}
	next := chain([]Stage{answering{}})
	head := ja4hVectors[2].head
	b.ReportAllocs()
	for b.Loop() {
		hc.scan(head)
		hc.next()
		stage.Serve(x, next)
	}
}
