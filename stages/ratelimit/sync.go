package ratelimit

import (
	"cmp"
	"context"
	"net/url"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// syncOnce is one sync: it reads every share of the current windows that
// has something to report or release, sends them to the store in one
// round trip, and settles each with its grant, or with the fallback when
// the store did not answer. It returns the store's error.
func (l *rateLimit) syncOnce(ctx context.Context, timeout time.Duration) error {
	s := l.sharing
	wall := l.now() + s.wallOffset
	s.claims = s.claims[:0]
	s.globalClaim(wall)
	if s.perIP != nil {
		l.perIP.collect(s, wall)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	n, err := s.store.sync(ctx, time.Unix(0, wall), s.claims)
	cancel()
	l.obs.Synced(time.Since(start), err)
	if err == nil {
		n = max(n, 1)
		s.servers.Store(int64(n))
		for _, w := range []*window{s.global, s.perIP} {
			if w != nil {
				w.setServers(n)
			}
		}
		l.obs.Servers(n)
	}
	s.settle(l.perIP, err == nil)
	return err
}

// run syncs every sync_interval until ctx ends, and logs once when the
// store goes and once when it is back.
func (l *rateLimit) run(ctx context.Context, cfg manifest.RateLimiting, events func(level, msg string, kv ...any)) {
	if events == nil {
		events = func(string, string, ...any) {}
	}
	store := redacted(cfg.Store)
	interval := cmp.Or(cfg.SyncInterval, manifest.DefaultSyncInterval)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	down := false
	for {
		err := l.syncOnce(ctx, max(interval, 100*time.Millisecond))
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil && !down:
			down = true
			events("warn", "rate limits: the store is unreachable; each server now limits to its share of the last known servers",
				"store", store, "servers", l.sharing.servers.Load(), "error", err.Error())
		case err == nil && down:
			down = false
			events("info", "rate limits: the store is back; limits are shared again", "store", store, "servers", l.sharing.servers.Load())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// redacted is the store URL without its password, for logs.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable store URL)"
	}
	return u.Redacted()
}
