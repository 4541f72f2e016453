package manifest

import (
	"net/url"
	"time"
)

// MaxSharedCount is the largest count one shared window may allow
// (global_rps × 1 s, per_ip_rpm × 1 min) when a store is set: the
// rate-limit stage keeps a server's share of a window in one atomic word.
const MaxSharedCount = 1<<26 - 1

// DefaultSyncInterval is how often a server syncs its rate-limit usage
// with the store when sync_interval is unset.
const DefaultSyncInterval = 200 * time.Millisecond

// DefaultRateLimitPrefix starts every key the rate limits keep in the store.
const DefaultRateLimitPrefix = "mothership:rl:"

// readRateLimiting reads `[mothership.rate_limiting]`.
func readRateLimiting(t *table) RateLimiting {
	rl := RateLimiting{
		GlobalRPS:    t.number("global_rps"),
		PerIPRPM:     t.number("per_ip_rpm"),
		SyncInterval: t.duration("sync_interval", DefaultSyncInterval),
		Prefix:       t.str("prefix"),
	}
	if !t.has("prefix") {
		rl.Prefix = DefaultRateLimitPrefix
	}
	rl.Store, _ = t.expanded("store")
	if rl.Store != "" {
		if u, err := url.Parse(rl.Store); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			t.r.errorf(t.key("store"), "%q is not a Redis URL; want redis://host:6379/0 (or rediss:// for TLS)", rl.Store)
		}
		checkShared(t, "global_rps", rl.GlobalRPS, "requests in one second")
		checkShared(t, "per_ip_rpm", rl.PerIPRPM, "requests in one minute")
	}
	if t.has("sync_interval") && (rl.SyncInterval < 10*time.Millisecond || rl.SyncInterval > 10*time.Second) {
		t.r.errorf(t.key("sync_interval"), "%v is out of range; want 10ms to 10s", rl.SyncInterval)
	}
	t.finish()
	return rl
}

// checkShared refuses a limit that a shared window cannot count: below one
// request per window, or above MaxSharedCount.
func checkShared(t *table, k string, v float64, what string) {
	if t.has(k) && (v < 1 || v > MaxSharedCount) {
		t.r.errorf(t.key(k), "with a store the limit is shared as whole %s; want 1 to %d, got %v", what, MaxSharedCount, v)
	}
}
