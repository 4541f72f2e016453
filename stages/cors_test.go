package stages

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// statusWriter is a fakeWriter that reports its status, as the engine's
// responseWriter does.
type statusWriter struct{ fakeWriter }

func (w *statusWriter) status() int { return w.fakeWriter.status }

// preflightBackend is a stage standing in for forward: it counts the
// requests that reach it and answers with its status and headers.
type preflightBackend struct {
	calls  int
	status int
	header http.Header
}

func (b *preflightBackend) Serve(x *Exchange, _ Handler) {
	b.calls++
	for k, v := range b.header {
		x.Response.Header()[k] = v
	}
	x.Response.WriteHeader(b.status)
}

// countingCORS counts what the cache reports.
type countingCORS struct {
	mu sync.Mutex
	corsCounts
}

type corsCounts struct{ hits, misses, stores, evictions int }

func (c *countingCORS) CORSCacheHit()      { c.mu.Lock(); c.hits++; c.mu.Unlock() }
func (c *countingCORS) CORSCacheMiss()     { c.mu.Lock(); c.misses++; c.mu.Unlock() }
func (c *countingCORS) CORSCacheStore()    { c.mu.Lock(); c.stores++; c.mu.Unlock() }
func (c *countingCORS) CORSCacheEviction() { c.mu.Lock(); c.evictions++; c.mu.Unlock() }

// preflight is one request to the stage in a table case.
type preflight struct {
	after   time.Duration
	method  string // OPTIONS unless set
	origin  string // no Origin when empty
	acrm    string // no Access-Control-Request-Method when empty
	acrh    string
	path    string
	backend bool   // whether the backend is expected to be reached
	cache   string // the X-Mothership-Cors-Cache expected: hit, miss or ""
}

func TestCORSCacheTable(t *testing.T) {
	const o1, o2 = "https://a.example", "https://b.example"
	pf := func(origin, path string, backend bool, cache string) preflight {
		return preflight{origin: origin, acrm: "POST", path: path, backend: backend, cache: cache}
	}
	allow := http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Methods": {"POST"}, "Vary": {"Origin"}}
	withMaxAge := func(v string) http.Header {
		h := allow.Clone()
		h["Access-Control-Max-Age"] = []string{v}
		return h
	}
	cases := []struct {
		name      string
		cfg       manifest.CORSCache
		status    int
		header    http.Header
		steps     []preflight
		wantCount corsCounts
	}{
		{"same origin twice reaches the backend once", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, allow,
			[]preflight{pf(o1, "/api", true, "miss"), pf(o1, "/api", false, "hit")},
			corsCounts{hits: 1, misses: 1, stores: 1}},
		{"two origins: once each", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 200, allow,
			[]preflight{pf(o1, "/api", true, "miss"), pf(o2, "/api", true, "miss"), pf(o2, "/api", false, "hit"), pf(o1, "/api", false, "hit")},
			corsCounts{hits: 2, misses: 2, stores: 2}},
		{"path, method and headers are in the key", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, allow,
			[]preflight{pf(o1, "/a", true, "miss"), pf(o1, "/b", true, "miss"),
				{origin: o1, acrm: "PUT", path: "/a", backend: true, cache: "miss"},
				{origin: o1, acrm: "POST", acrh: "x-token", path: "/a", backend: true, cache: "miss"},
				{origin: o1, acrm: "POST", acrh: "x-token", path: "/a", backend: false, cache: "hit"}},
			corsCounts{hits: 1, misses: 4, stores: 4}},
		{"TTL from Access-Control-Max-Age", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, withMaxAge("1"),
			[]preflight{pf(o1, "/api", true, "miss"), {after: 999 * time.Millisecond, origin: o1, acrm: "POST", path: "/api", cache: "hit"},
				{after: time.Millisecond, origin: o1, acrm: "POST", path: "/api", backend: true, cache: "miss"}},
			corsCounts{hits: 1, misses: 2, stores: 2}},
		{"TTL from default_ttl without Max-Age", manifest.CORSCache{DefaultTTL: 10 * time.Second, MaxEntries: 10}, 204, allow,
			[]preflight{pf(o1, "/api", true, "miss"), {after: 9 * time.Second, origin: o1, acrm: "POST", path: "/api", cache: "hit"},
				{after: time.Second, origin: o1, acrm: "POST", path: "/api", backend: true, cache: "miss"}},
			corsCounts{hits: 1, misses: 2, stores: 2}},
		{"Max-Age 0 is not cached", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, withMaxAge("0"),
			[]preflight{pf(o1, "/api", true, "miss"), pf(o1, "/api", true, "miss")},
			corsCounts{misses: 2}},
		{"non-2xx is not cached", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 403, allow,
			[]preflight{pf(o1, "/api", true, "miss"), pf(o1, "/api", true, "miss")},
			corsCounts{misses: 2}},
		{"LRU eviction at max_entries", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 2}, 204, allow,
			[]preflight{pf(o1, "/a", true, "miss"), pf(o1, "/b", true, "miss"), pf(o1, "/a", false, "hit"),
				pf(o1, "/c", true, "miss"), // evicts /b, the least recently used
				pf(o1, "/a", false, "hit"), pf(o1, "/c", false, "hit"), pf(o1, "/b", true, "miss")},
			corsCounts{hits: 3, misses: 4, stores: 4, evictions: 2}},
		{"non-preflight OPTIONS passes through", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, allow,
			[]preflight{{path: "/api", backend: true}, {path: "/api", backend: true},
				{origin: o1, path: "/api", backend: true}, {acrm: "POST", path: "/api", backend: true}},
			corsCounts{}},
		{"other methods pass through", manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, 204, allow,
			[]preflight{{method: "POST", origin: o1, acrm: "POST", path: "/api", backend: true}, {method: "POST", origin: o1, acrm: "POST", path: "/api", backend: true}},
			corsCounts{}},
	}
	route := &routetree.Route{Index: 3}
	for _, tc := range cases {
		clock := &fakeClock{t: int64(time.Hour)}
		obs := &countingCORS{}
		c := newCORSCache(tc.cfg, obs, clock.now)
		backend := &preflightBackend{status: tc.status, header: tc.header}
		next := chain([]Stage{backend})
		for i, s := range tc.steps {
			clock.advance(s.after)
			h := http.Header{}
			if s.origin != "" {
				h["Origin"] = []string{s.origin}
			}
			if s.acrm != "" {
				h["Access-Control-Request-Method"] = []string{s.acrm}
			}
			if s.acrh != "" {
				h["Access-Control-Request-Headers"] = []string{s.acrh}
			}
			w := &statusWriter{fakeWriter{header: http.Header{}}}
			x := &Exchange{Method: cmpOr(s.method, "OPTIONS"), Path: s.path, Host: "site.test", Header: h, Route: route, Response: w}
			before := backend.calls
			c.Serve(x, next)
			if reached := backend.calls > before; reached != s.backend {
				t.Errorf("%s: step %d: backend reached %v, want %v", tc.name, i, reached, s.backend)
			}
			if got := w.header.Get(hdrCORSCache); got != s.cache {
				t.Errorf("%s: step %d: %s %q, want %q", tc.name, i, hdrCORSCache, got, s.cache)
			}
			if w.fakeWriter.status != tc.status {
				t.Errorf("%s: step %d: status %d, want the backend's %d", tc.name, i, w.fakeWriter.status, tc.status)
			}
			if s.cache == "hit" {
				for k, v := range tc.header {
					if got := w.header[k]; len(got) != len(v) || got[0] != v[0] {
						t.Errorf("%s: step %d: hit header %s %q, want %q", tc.name, i, k, got, v)
					}
				}
			}
		}
		got, want := obs.corsCounts, tc.wantCount
		if got != want {
			t.Errorf("%s: counted hits/misses/stores/evictions %d/%d/%d/%d, want %d/%d/%d/%d", tc.name,
				got.hits, got.misses, got.stores, got.evictions, want.hits, want.misses, want.stores, want.evictions)
		}
		if n := c.len(); n > tc.cfg.MaxEntries {
			t.Errorf("%s: %d entries, max %d", tc.name, n, tc.cfg.MaxEntries)
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestCORSCacheCollision: entries found by hash are checked against their
// parts, so that two keys with one hash never share an answer.
func TestCORSCacheCollision(t *testing.T) {
	c := newCORSCache(manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, nopCORSObserver{}, func() int64 { return 1 })
	k := preflightKey{origin: "https://a.example", path: "/x", method: "POST"}
	w := &statusWriter{fakeWriter{header: http.Header{"Access-Control-Allow-Origin": {"*"}}, status: 204}}
	c.store(42, &k, w, 1)
	other := k
	other.origin = "https://evil.example"
	if c.lookup(42, &other, 1) != nil {
		t.Errorf("another key under the same hash was a hit")
	}
	if c.lookup(42, &k, 1) == nil {
		t.Errorf("the stored key was not a hit")
	}
}

func TestCORSCacheHitNoAllocations(t *testing.T) {
	c := newCORSCache(manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10}, nopCORSObserver{}, monotonicNow)
	backend := &preflightBackend{status: 204, header: http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Headers": {"x-token"}, "Vary": {"Origin"}}}
	next := chain([]Stage{backend})
	w := &statusWriter{fakeWriter{header: http.Header{}}}
	x := &Exchange{Method: "OPTIONS", Path: "/api/login", Host: "site.test", Route: &routetree.Route{}, Response: w, Header: http.Header{
		"Origin": {"https://a.example"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"x-token, content-type"},
	}}
	c.Serve(x, next)
	plain := &Exchange{Method: "GET", Path: "/api/login", Response: w, Header: http.Header{}}
	cases := []struct {
		name string
		f    func()
	}{
		{"cache hit", func() { c.Serve(x, next) }},
		{"not a preflight", func() { c.Serve(plain, next) }},
	}
	for _, tc := range cases {
		if a := testing.AllocsPerRun(1000, tc.f); a != 0 {
			t.Errorf("%s: %v allocs per request, want 0", tc.name, a)
		}
	}
	if backend.calls != 1+1001 { // the miss, then the GETs
		t.Errorf("backend reached %d times, want %d: the preflight was not a hit", backend.calls, 1+1001)
	}
}

func BenchmarkCORSCacheHit(b *testing.B) {
	c := newCORSCache(manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10000}, nopCORSObserver{}, monotonicNow)
	next := chain([]Stage{&preflightBackend{status: 204, header: http.Header{"Access-Control-Allow-Origin": {"*"}, "Vary": {"Origin"}}}})
	newX := func() *Exchange {
		return &Exchange{Method: "OPTIONS", Path: "/api/login", Host: "site.test", Route: &routetree.Route{},
			Response: &statusWriter{fakeWriter{header: http.Header{}}}, Header: http.Header{
				"Origin": {"https://a.example"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"x-token"},
			}}
	}
	c.Serve(newX(), next)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		x := newX()
		for pb.Next() {
			c.Serve(x, next)
		}
	})
}

// TestCORSCacheServer runs preflights through a Server, a real backend and
// a real client.
func TestCORSCacheServer(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	backend := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.Method+" "+r.URL.Path+" "+r.Header.Get("Origin")]++
		mu.Unlock()
		if r.Method == "OPTIONS" && r.Header.Get("Origin") != "" {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
			w.Header().Set("Vary", "Origin")
			if r.URL.Path == "/short" {
				w.Header().Set("Access-Control-Max-Age", "1")
			}
			if r.URL.Path == "/denied" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Write([]byte("plain"))
	}))
	p := startProxy(t, "[mothership.cors_cache]\nenabled = true\nmax_entries = 2\n\n"+bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	c := newClient(t)
	const o1, o2 = "https://a.example", "https://b.example"
	pre := func(origin string) http.Header {
		return http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}}
	}
	type step struct {
		name   string
		sleep  time.Duration
		method string
		path   string
		header http.Header
		status int
		cache  string
		calls  int // the backend's count for this method, path and origin after the step
	}
	steps := []step{
		{"first browser, origin a", 0, "OPTIONS", "/api", pre(o1), 204, "miss", 1},
		{"second browser, origin a", 0, "OPTIONS", "/api", pre(o1), 204, "hit", 1},
		{"origin b", 0, "OPTIONS", "/api", pre(o2), 204, "miss", 1},
		{"origin b again", 0, "OPTIONS", "/api", pre(o2), 204, "hit", 1},
		{"non-2xx", 0, "OPTIONS", "/denied", pre(o1), 403, "miss", 1},
		{"non-2xx again: not cached", 0, "OPTIONS", "/denied", pre(o1), 403, "miss", 2},
		{"non-preflight OPTIONS", 0, "OPTIONS", "/api", nil, 200, "", 1},
		{"non-preflight OPTIONS again", 0, "OPTIONS", "/api", nil, 200, "", 2},
		{"max-age 1", 0, "OPTIONS", "/short", pre(o1), 204, "miss", 1}, // evicts /api from a, with max_entries 2
		{"max-age 1, cached", 0, "OPTIONS", "/short", pre(o1), 204, "hit", 1},
		{"origin a's /api was least recently used, evicted", 0, "OPTIONS", "/api", pre(o1), 204, "miss", 2},
		{"max-age 1, expired", 1200 * time.Millisecond, "OPTIONS", "/short", pre(o1), 204, "miss", 2},
	}
	for _, s := range steps {
		time.Sleep(s.sleep)
		res, _ := do(t, c, s.method, p.url+s.path, "", s.header)
		if res.StatusCode != s.status {
			t.Errorf("%s: status %d, want %d", s.name, res.StatusCode, s.status)
		}
		if got := res.Header.Get(hdrCORSCache); got != s.cache {
			t.Errorf("%s: %s %q, want %q", s.name, hdrCORSCache, got, s.cache)
		}
		if s.status == 204 && res.Header.Get("Access-Control-Allow-Origin") != s.header.Get("Origin") {
			t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", s.name, res.Header.Get("Access-Control-Allow-Origin"), s.header.Get("Origin"))
		}
		mu.Lock()
		n := calls[s.method+" "+s.path+" "+s.header.Get("Origin")]
		mu.Unlock()
		if n != s.calls {
			t.Errorf("%s: backend reached %d times for it, want %d", s.name, n, s.calls)
		}
	}
}
