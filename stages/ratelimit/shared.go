package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"
)

// window is one limit's shared fixed window: how long it is and how many
// requests the deployment may make in one.
type window struct {
	per   int64  // nanoseconds
	limit uint64 // requests per window, deployment-wide
	// fresh is limit / live servers, rounded up: what a server may admit
	// for a key before the store has answered for it in this window, and
	// for every key while the store is unreachable.
	fresh atomic.Uint64
}

// newWindow makes a window of per, time.Second or time.Minute.
func newWindow(per time.Duration, limit float64) *window {
	w := &window{per: int64(per), limit: uint64(limit)}
	w.fresh.Store(w.limit)
	return w
}

// index is the window that wall-clock time wall (Unix nanoseconds) falls
// in: every server cuts the same windows, as far as their clocks agree.
//
// The windows are one second or one minute: dividing by a constant is a
// multiply on the request path, where a division by w.per would cost more
// than the rest of the share's check.
func (w *window) index(wall int64) int64 {
	if w.per == int64(time.Second) {
		return wall / int64(time.Second)
	}
	return wall / int64(time.Minute)
}

// wait is how long until the window of wall ends, when its count is back.
func (w *window) wait(wall int64) int64 { return w.per - wall%w.per }

// setServers makes fresh limit/n for n live servers.
func (w *window) setServers(n int) {
	w.fresh.Store(max(1, (w.limit+uint64(n)-1)/uint64(n)))
}

// sharing is what a limiter with a store keeps beside its local buckets:
// the global bucket's share (kept in the bucket, the per-IP shares in the
// per-IP table),
// both windows, and what the sync needs.
type sharing struct {
	global, perIP *window // nil when that limit is off
	globalShare   *share  // in the global bucket, beside its TAT
	// wallOffset turns the stage's clock into Unix nanoseconds.
	wallOffset int64
	prefix     string
	store      store
	servers    atomic.Int64 // live servers at the last sync, at least 1
	claims     []claim      // the sync's, reused
}

// claim is one key's report to the store in a sync, and the grant back.
type claim struct {
	key    string // the counter's key in the store
	limit  uint64
	ttl    time.Duration
	report claimed
	grant  uint64
	// where the share is: the global one, or the per-IP table's bucket at
	// shard, set and way that held addr.
	global          bool
	addr            [16]byte
	shard, set, way int
	tag             uint64
}

// store is where servers meet: it takes each claim's report, answers its
// grant, and counts the live servers, this one announced as of now.
type store interface {
	sync(ctx context.Context, now time.Time, claims []claim) (servers int, err error)
	leave(ctx context.Context) error
}

// globalClaim adds the global share's claim, if it has one.
func (s *sharing) globalClaim(wall int64) {
	w := s.global
	if w == nil {
		return
	}
	i := w.index(wall)
	tag := windowTag(i)
	c := s.globalShare.snapshot(tag, windowTag(i+1))
	if c == (claimed{}) {
		return
	}
	s.claims = append(s.claims, claim{
		key: s.prefix + "g:" + strconv.FormatInt(i, 10), limit: w.limit, ttl: 2 * time.Duration(w.per),
		report: c, global: true, tag: tag,
	})
}

// ipKey is a client's counter key: its address hashed, so that the store
// holds no address in the clear, and the same on every server.
func (s *sharing) ipKey(addr *[16]byte, i int64) string {
	sum := sha256.Sum256(addr[:])
	return s.prefix + "ip:" + hex.EncodeToString(sum[:8]) + ":" + strconv.FormatInt(i, 10)
}

// settle applies the sync's answers (ok) or its failure to every share
// claimed.
func (s *sharing) settle(t *ipBuckets, ok bool) {
	for i := range s.claims {
		c := &s.claims[i]
		if c.global {
			s.globalShare.settle(c.tag, c.report.used, ok, c.grant, s.global.fresh.Load())
			continue
		}
		sh := &t.shards[c.shard]
		sh.mu.Lock()
		if b := &sh.sets[c.set][c.way]; b.addr == c.addr {
			b.share.settle(c.tag, c.report.used, ok, c.grant, s.perIP.fresh.Load())
		}
		sh.mu.Unlock()
	}
}
