package stages

// The CORS stage: a cache of the backends' answers to CORS preflights
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

import (
	"hash/maphash"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// CORSCacheObserver counts the CORS preflight cache's work. Its methods
// are called on the request path and must not allocate.
type CORSCacheObserver interface {
	CORSCacheHit()
	CORSCacheMiss()
	CORSCacheStore()
	CORSCacheEviction()
}

// CORSCacheObservers is what an Observer implements to count the CORS
// cache's work too: New calls CORSCache once, when a route gets the stage.
type CORSCacheObservers interface {
	CORSCache() CORSCacheObserver
}

// hdrCORSCache tells a preflight answered from the cache from one that was not.
const hdrCORSCache = "X-Mothership-Cors-Cache"

var (
	corsHit  = []string{"hit"}
	corsMiss = []string{"miss"}
	zeroLen  = []string{"0"}
)

// buildCORS gives every route the server's CORS cache when cors_cache is
// enabled.
func buildCORS(c *compiler, _ *routetree.Route) (Stage, error) {
	sh := c.shared
	if sh == nil {
		return nil, nil
	}
	if !sh.corsBuilt {
		sh.corsBuilt = true
		if sh.ms.CORSCache.Enabled {
			var obs CORSCacheObserver = nopCORSObserver{}
			if o, ok := sh.obs.(CORSCacheObservers); ok {
				obs = o.CORSCache()
			}
			sh.cors = newCORSCache(sh.ms.CORSCache, obs, monotonicNow)
		}
	}
	if sh.cors == nil {
		return nil, nil
	}
	return sh.cors, nil
}

// corsCache is the stage.
type corsCache struct {
	seed       maphash.Seed
	defaultTTL int64 // nanoseconds; 0 caches only answers with a Max-Age
	maxEntries int
	obs        CORSCacheObserver
	now        func() int64

	mu      sync.Mutex
	entries map[uint64]*corsEntry
	// lru is the sentinel of the recency list: lru.next is the most
	// recently used entry, lru.prev the least.
	lru corsEntry
}

func newCORSCache(cfg manifest.CORSCache, obs CORSCacheObserver, now func() int64) *corsCache {
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
	headers []string // Access-Control-Request-Headers, every line of it
}

func (k *preflightKey) hash(seed maphash.Seed) uint64 {
	h := uint64(k.route)*0x9e3779b97f4a7c15 ^ uint64(len(k.headers))
	for _, s := range [...]string{k.host, k.origin, k.path, k.query, k.method} {
		h = (h ^ maphash.String(seed, s)) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	for _, s := range k.headers {
		h = (h ^ maphash.String(seed, s)) * 0x94d049bb133111eb
		h ^= h >> 29
	}
	return h
}

// corsEntry is a cached answer; what a hit reads of it never changes.
type corsEntry struct {
	hash       uint64
	key        preflightKey // with its strings cloned
	expires    int64
	status     int
	header     []headerValue
	prev, next *corsEntry
}

func (e *corsEntry) matches(k *preflightKey) bool {
	return e.key.route == k.route && e.key.host == k.host && e.key.origin == k.origin &&
		e.key.path == k.path && e.key.query == k.query && e.key.method == k.method &&
		slices.Equal(e.key.headers, k.headers)
}

// Serve answers a cached preflight, and stores the backend's answer to one
// that was not.
func (c *corsCache) Serve(x *Exchange, next Handler) {
	if x.Method != http.MethodOptions {
		next.Serve(x)
		return
	}
	origin, method := x.Header["Origin"], x.Header["Access-Control-Request-Method"]
	if len(origin) != 1 || len(method) != 1 || x.Route == nil {
		next.Serve(x) // not a preflight: the backend answers
		return
	}
	k := preflightKey{
		route: x.Route.Index, host: x.Host, origin: origin[0], path: x.Path, query: x.RawQuery,
		method: method[0], headers: x.Header["Access-Control-Request-Headers"],
	}
	h := k.hash(c.seed)
	now := c.now()
	w := x.Response
	if e := c.lookup(h, &k, now); e != nil {
		c.obs.CORSCacheHit()
		hd := w.Header()
		for _, hv := range e.header {
			hd[hv.name] = hv.value[:len(hv.value):len(hv.value)]
		}
		hd[hdrCORSCache] = corsHit[:1:1]
		if e.status != http.StatusNoContent {
			hd["Content-Length"] = zeroLen[:1:1]
		}
		w.WriteHeader(e.status)
		return
	}
	c.obs.CORSCacheMiss()
	w.Header()[hdrCORSCache] = corsMiss[:1:1]
	next.Serve(x)
	c.store(h, &k, w, now)
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

// statusReporter is a ResponseWriter that tells the status it sent, as the
// engine's does.
type statusReporter interface{ status() int }

// store keeps the answer w got, when it may be kept.
func (c *corsCache) store(h uint64, k *preflightKey, w ResponseWriter, now int64) {
	sr, ok := w.(statusReporter)
	if !ok {
		return
	}
	status := sr.status()
	if status < 200 || status > 299 {
		return
	}
	hd := w.Header()
	ttl := c.defaultTTL
	if v := hd["Access-Control-Max-Age"]; len(v) > 0 {
		if secs, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64); err == nil {
			ttl = min(secs, 1<<32) * int64(time.Second)
		}
	}
	if ttl <= 0 || len(hd["Set-Cookie"]) > 0 || hasToken(hd["Cache-Control"], "no-store") || hasToken(hd["Vary"], "*") {
		return
	}
	e := &corsEntry{hash: h, expires: now + ttl, status: status, key: preflightKey{
		route: k.route, host: strings.Clone(k.host), origin: strings.Clone(k.origin),
		path: strings.Clone(k.path), query: strings.Clone(k.query), method: strings.Clone(k.method),
	}}
	for _, s := range k.headers {
		e.key.headers = append(e.key.headers, strings.Clone(s))
	}
	for name, vs := range hd {
		if name == "Vary" || strings.HasPrefix(name, "Access-Control-") {
			e.header = append(e.header, headerValue{name: name, value: slices.Clone(vs)})
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[h]; old != nil {
		c.remove(old)
	}
	c.entries[h] = e
	c.pushFront(e)
	c.obs.CORSCacheStore()
	for len(c.entries) > c.maxEntries {
		c.remove(c.lru.prev)
		c.obs.CORSCacheEviction()
	}
}

// hasToken reports whether a comma-separated header has token, in any case.
func hasToken(vs []string, token string) bool {
	for _, v := range vs {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
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

// nopCORSObserver stands in when the Observer does not count CORS.
type nopCORSObserver struct{}

func (nopCORSObserver) CORSCacheHit()      {}
func (nopCORSObserver) CORSCacheMiss()     {}
func (nopCORSObserver) CORSCacheStore()    {}
func (nopCORSObserver) CORSCacheEviction() {}
