package ratelimit

import (
	"cmp"
	"context"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// syncOnce is one sync: it reads every share of the current windows that
// has something to report or release, sends them to the store in one
// round trip, and settles each with its grant, or with the fallback when
// the store did not answer. It returns the store's error.
func (s *sharing) syncOnce(ctx context.Context, timeout time.Duration) error {
	wall := s.now() + s.wallOffset
	s.claims = s.claims[:0]
	s.globalClaim(wall)
	for _, k := range s.keyed {
		k.table.collect(s, k, wall)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	n, err := s.store.sync(ctx, time.Unix(0, wall), s.claims)
	cancel()
	s.obs.Synced(time.Since(start), err)
	if err == nil {
		n = max(n, 1)
		s.servers.Store(int64(n))
		for _, w := range s.windows() {
			w.setServers(n)
		}
		s.obs.Servers(n)
	}
	s.settle(err == nil)
	return err
}

// syncTimeout bounds one sync: the interval, and never less than a second,
// so that a round trip slowed by a loaded machine is not taken for the
// store going away (which would log it and fall back to the local
// shares). Only the next sync waits for a slow one; no request does.
func syncTimeout(interval time.Duration) time.Duration { return max(interval, time.Second) }

// run syncs every sync_interval until ctx ends, and logs once when the
// store goes and once when it is back.
func (s *sharing) run(ctx context.Context, cfg manifest.RateLimiting, events func(level, msg string, kv ...any)) {
	if events == nil {
		events = func(string, string, ...any) {}
	}
	store := redacted(cfg.Store)
	interval := cmp.Or(cfg.SyncInterval, manifest.DefaultSyncInterval)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	down := false
	for {
		err := s.syncOnce(ctx, syncTimeout(interval))
		if ctx.Err() != nil {
			return
		}
		switch {
		case err != nil && !down:
			down = true
			events("warn", "rate limits: the store is unreachable; each server now limits to its share of the last known servers",
				"store", store, "servers", s.servers.Load(), "error", err.Error())
		case err == nil && down:
			down = false
			events("info", "rate limits: the store is back; limits are shared again", "store", store, "servers", s.servers.Load())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// syncFromStartToDrain runs the sync while the server runs. At drain the
// sync stops first, then the server leaves the live set: a sync after
// leaving would announce it again, and one on the closed client would log
// the store as gone.
func syncFromStartToDrain(b *pipeline.Build, s *sharing, cfg manifest.RateLimiting, st store) {
	stop, done := make(chan struct{}), make(chan struct{})
	var started atomic.Bool
	b.OnStart(func(ctx context.Context) {
		defer close(done)
		started.Store(true)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			select {
			case <-stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		s.run(ctx, cfg, b.Events)
	})
	b.OnDrain(func(ctx context.Context) {
		close(stop)
		if started.Load() {
			select {
			case <-done:
			case <-ctx.Done():
			}
		}
		_ = st.leave(ctx)
	})
}

// redacted is the store URL without its password, for logs.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable store URL)"
	}
	return u.Redacted()
}
