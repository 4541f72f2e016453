// Package cors is the CORS stage: a cache of the backends' answers to CORS preflights
// (`OPTIONS` with Origin and Access-Control-Request-Method), so that the
// same preflight from a second browser is answered without the backend.
//
// An answer is cached per route, Host, Origin, path and query, requested
// method and requested headers; the spec's key is origin, path, method and
// headers, and the route and Host keep two backends' answers apart. The key
// is a seeded 64-bit hash of those parts, built without allocating; the
// entry keeps the parts themselves, and a hit compares them, so that a hash
// collision is a miss, never another origin's answer. Only 2xx answers are
// kept, with their status, Access-Control-* headers and Vary (no body: a
// browser reads none from a preflight), for the backend's
// Access-Control-Max-Age or else default_ttl; a Max-Age of 0 or less, a
// `Cache-Control: no-store`, a `Vary: *` or a Set-Cookie keeps the answer
// out. At most max_entries are kept; the least recently used goes first.
// Every preflight answer says X-Mothership-Cors-Cache: hit or miss.
//
// One mutex guards the cache; only preflights take it. Two identical
// preflights that miss at the same moment both reach the backend.
package cors

import (
	"hash/maphash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Observer counts the cache's work. Its methods are called on the
// request path and must not allocate.
type Observer interface {
	CORSCacheHit()
	CORSCacheMiss()
	CORSCacheStore()
	CORSCacheEviction()
}

// Observers is what a pipeline.Observer implements to count the cache's
// work too: Build calls CORSCache once.
type Observers interface {
	CORSCache() Observer
}

// hdrCORSCache tells a preflight answered from the cache from one that was not.
const hdrCORSCache = "X-Mothership-Cors-Cache"

// key keeps the server's one cache in pipeline.Build.Shared.
type key struct{}

// clockBase makes monotonicNow small and monotonic.
var clockBase = time.Now()

// monotonicNow is the cache's clock, in nanoseconds.
func monotonicNow() int64 { return int64(time.Since(clockBase)) }

// Build gives every route the server's cache when cors_cache is enabled.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	cfg := b.Manifest.Mothership.CORSCache
	if !cfg.Enabled {
		return nil, nil
	}
	v, err := b.Shared(key{}, func() (any, error) {
		var obs Observer = nopObserver{}
		if o, ok := b.Observer.(Observers); ok {
			obs = o.CORSCache()
		}
		return newCORSCache(cfg, obs, monotonicNow), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*corsCache), nil
}

// corsCache is the stage.
type corsCache struct {
	seed       maphash.Seed
	defaultTTL int64 // nanoseconds; 0 caches only answers with a Max-Age
	maxEntries int
	obs        Observer
	now        func() int64

	mu      sync.Mutex
	entries map[uint64]*corsEntry
	// lru is the sentinel of the recency list: lru.next is the most
	// recently used entry, lru.prev the least.
	lru corsEntry
}

func newCORSCache(cfg manifest.CORSCache, obs Observer, now func() int64) *corsCache {
	c := &corsCache{
		seed:       maphash.MakeSeed(),
		defaultTTL: int64(max(0, cfg.DefaultTTL)),
		maxEntries: cfg.MaxEntries,
		obs:        obs,
		now:        now,
		entries:    map[uint64]*corsEntry{},
	}
	if c.maxEntries <= 0 {
		c.maxEntries = 10000
	}
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	return c
}

// preflightKey is a preflight's cache key, as parts.
type preflightKey struct {
	route   int
	host    string
	origin  string
	path    string
	query   string
	method  string
	headers string // Access-Control-Request-Headers, its lines joined by commas
}

func (k *preflightKey) hash(seed maphash.Seed) uint64 {
	h := uint64(k.route) * 0x9e3779b97f4a7c15
	for _, s := range [...]string{k.host, k.origin, k.path, k.query, k.method, k.headers} {
		h = (h ^ maphash.String(seed, s)) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}

// corsEntry is a cached answer; what a hit reads of it never changes.
type corsEntry struct {
	hash       uint64
	key        preflightKey // with its strings cloned
	expires    int64
	status     int
	header     []pipeline.Field
	prev, next *corsEntry
}

func (e *corsEntry) matches(k *preflightKey) bool {
	return e.key.route == k.route && e.key.host == k.host && e.key.origin == k.origin &&
		e.key.path == k.path && e.key.query == k.query && e.key.method == k.method &&
		e.key.headers == k.headers
}

// Serve answers a cached preflight, and stores the backend's answer to one
// that was not.
func (c *corsCache) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	if x.Method != http.MethodOptions {
		next.Serve(x)
		return
	}
	h := &x.Header
	if h.Count("Origin") != 1 || h.Count("Access-Control-Request-Method") != 1 || x.Route == nil {
		next.Serve(x) // not a preflight: the backend answers
		return
	}
	k := preflightKey{
		route: x.Route.Index, host: x.Host, origin: h.Get("Origin"), path: x.Path, query: x.RawQuery,
		method: h.Get("Access-Control-Request-Method"), headers: requestHeaders(h),
	}
	hash := k.hash(c.seed)
	now := c.now()
	w := x.Response
	if e := c.lookup(hash, &k, now); e != nil {
		c.obs.CORSCacheHit()
		hd := w.Header()
		for _, f := range e.header {
			hd.Add(f.Name, f.Value)
		}
		hd.Set(hdrCORSCache, "hit")
		if e.status != http.StatusNoContent {
			hd.Set("Content-Length", "0")
		}
		w.WriteHeader(e.status)
		return
	}
	c.obs.CORSCacheMiss()
	w.Header().Set(hdrCORSCache, "miss")
	next.Serve(x)
	c.store(hash, &k, w, now)
}

// requestHeaders is the Access-Control-Request-Headers value; several
// lines (rare) are joined with commas, as they mean the same.
func requestHeaders(h *pipeline.Header) string {
	i := h.Index("Access-Control-Request-Headers", 0)
	if i < 0 {
		return ""
	}
	v := h.Value(i)
	for j := h.Index("Access-Control-Request-Headers", i+1); j >= 0; j = h.Index("Access-Control-Request-Headers", j+1) {
		v += "," + h.Value(j)
	}
	return v
}

// lookup finds a live entry and makes it the most recently used.
func (c *corsCache) lookup(h uint64, k *preflightKey, now int64) *corsEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[h]
	if e == nil || !e.matches(k) {
		return nil
	}
	if e.expires <= now {
		c.remove(e)
		return nil
	}
	c.unlink(e)
	c.pushFront(e)
	return e
}

// store keeps the answer w got, when it may be kept. The fields point
// into buffers that live until the exchange ends: kept ones are cloned.
func (c *corsCache) store(hash uint64, k *preflightKey, w pipeline.ResponseWriter, now int64) {
	status := w.Status()
	if status < 200 || status > 299 {
		return
	}
	hd := w.Header()
	ttl := c.defaultTTL
	if v := hd.Get("Access-Control-Max-Age"); hd.Has("Access-Control-Max-Age") {
		if secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			ttl = min(secs, 1<<32) * int64(time.Second)
		}
	}
	if ttl <= 0 || hd.Has("Set-Cookie") || anyToken(hd, "Cache-Control", "no-store") || anyToken(hd, "Vary", "*") {
		return
	}
	e := &corsEntry{hash: hash, expires: now + ttl, status: status, key: preflightKey{
		route: k.route, host: strings.Clone(k.host), origin: strings.Clone(k.origin),
		path: strings.Clone(k.path), query: strings.Clone(k.query), method: strings.Clone(k.method),
		headers: strings.Clone(k.headers),
	}}
	for _, f := range hd.Fields() {
		if httpsyntax.EqualFold(f.Name, "vary") || len(f.Name) > 15 && httpsyntax.EqualFold(f.Name[:15], "access-control-") {
			e.header = append(e.header, pipeline.Field{Name: strings.Clone(f.Name), Value: strings.Clone(f.Value)})
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[hash]; old != nil {
		c.remove(old)
	}
	c.entries[hash] = e
	c.pushFront(e)
	c.obs.CORSCacheStore()
	for len(c.entries) > c.maxEntries {
		c.remove(c.lru.prev)
		c.obs.CORSCacheEviction()
	}
}

// anyToken reports whether a field named name lists token (lower case).
func anyToken(h *pipeline.Header, name, token string) bool {
	for i := h.Index(name, 0); i >= 0; i = h.Index(name, i+1) {
		if httpsyntax.HasTokenFold(h.Value(i), token) {
			return true
		}
	}
	return false
}

func (c *corsCache) remove(e *corsEntry) {
	c.unlink(e)
	delete(c.entries, e.hash)
}

func (c *corsCache) unlink(e *corsEntry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *corsCache) pushFront(e *corsEntry) {
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// len is the number of entries, for tests.
func (c *corsCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// nopObserver stands in when the Observer does not count the cache.
type nopObserver struct{}

func (nopObserver) CORSCacheHit()      {}
func (nopObserver) CORSCacheMiss()     {}
func (nopObserver) CORSCacheStore()    {}
func (nopObserver) CORSCacheEviction() {}
