package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
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

// newWindow makes a window of per: time.Second, time.Minute or time.Hour.
func newWindow(per time.Duration, limit float64) *window {
	w := &window{per: int64(per), limit: uint64(limit)}
	w.fresh.Store(w.limit)
	return w
}

// index is the window that wall-clock time wall (Unix nanoseconds) falls
// in: every server cuts the same windows, as far as their clocks agree.
//
// The windows are one second, minute or hour: dividing by a constant is a
// multiply on the request path, where a division by w.per would cost more
// than the rest of the share's check.
func (w *window) index(wall int64) int64 {
	switch w.per {
	case int64(time.Second):
		return wall / int64(time.Second)
	case int64(time.Minute):
		return wall / int64(time.Minute)
	}
	return wall / int64(time.Hour)
}

// wait is how long until the window of wall ends, when its count is back.
func (w *window) wait(wall int64) int64 { return w.per - wall%w.per }

// setServers makes fresh limit/n for n live servers.
func (w *window) setServers(n int) {
	w.fresh.Store(max(1, (w.limit+uint64(n)-1)/uint64(n)))
}

// sharing is one server's part in a deployment sharing its limits through
// a store: the windows of every shared limit (the global bucket's share
// is kept in the bucket, the per-key shares in their tables), and what
// the sync needs. A server has one, whatever limits and rules share it.
type sharing struct {
	global      *window // nil when global_rps is off
	globalShare *share  // in the global bucket, beside its TAT
	keyed       []*keyedLimit
	now         func() int64 // the limiters' clock
	// wallOffset turns the limiters' clock into Unix nanoseconds.
	wallOffset int64
	prefix     string
	store      store
	obs        Observer
	servers    atomic.Int64 // live servers at the last sync, at least 1
	claims     []claim      // the sync's, reused
}

// keyedLimit is a limit counted per key and shared: per_ip_rpm, or a
// shield rule's rate.
type keyedLimit struct {
	table *keyTable
	win   *window
	kind  string // its keys' part after the prefix: "ip:", "shield:<rule>:"
}

// claim is one key's report to the store in a sync, and the grant back.
type claim struct {
	key    string // the counter's key in the store
	limit  uint64
	ttl    time.Duration
	report claimed
	grant  uint64
	// where the share is: the global one (keyed nil), or the bucket of
	// keyed's table at shard, set and way that held bucket.
	keyed           *keyedLimit
	bucket          [16]byte
	shard, set, way int
	tag             uint64
}

// store is where servers meet: it takes each claim's report, answers its
// grant, and counts the live servers, this one announced as of now.
type store interface {
	sync(ctx context.Context, now time.Time, claims []claim) (servers int, err error)
	leave(ctx context.Context) error
}

// sharingKey keeps a server's sharing in pipeline.Build.Shared.
type sharingKey struct{}

// sharingOf is the server's sharing, made on first use, or nil without a
// store. Making it connects nothing yet: the sync runs from the server's
// start to its drain.
func sharingOf(b *pipeline.Build) (*sharing, error) {
	v, err := b.Shared(sharingKey{}, func() (any, error) {
		cfg := b.Manifest.Mothership.RateLimiting
		if cfg.Store == "" {
			return (*sharing)(nil), nil
		}
		st, err := newRedisStore(cfg)
		if err != nil {
			return nil, err
		}
		s := newSharing(cfg, st, monotonicNow, clockBase.UnixNano(), observer(b))
		s.obs.Shared(redacted(cfg.Store))
		syncFromStartToDrain(b, s, cfg, st)
		return s, nil
	})
	s, _ := v.(*sharing)
	return s, err
}

// newSharing shares through st on the clock now, which wallOffset turns
// into Unix nanoseconds.
func newSharing(cfg manifest.RateLimiting, st store, now func() int64, wallOffset int64, obs Observer) *sharing {
	s := &sharing{now: now, wallOffset: wallOffset, prefix: cfg.Prefix, store: st, obs: obs}
	s.servers.Store(1)
	return s
}

// addKeyed shares table's limit of limit requests per window of per, under
// keys of kind; the sync collects it from then on. Call it before the
// server starts.
func (s *sharing) addKeyed(table *keyTable, per time.Duration, limit float64, kind string) *keyedLimit {
	k := &keyedLimit{table: table, win: newWindow(per, limit), kind: kind}
	s.keyed = append(s.keyed, k)
	return k
}

// windows are every shared limit's windows.
func (s *sharing) windows() []*window {
	ws := make([]*window, 0, 1+len(s.keyed))
	if s.global != nil {
		ws = append(ws, s.global)
	}
	for _, k := range s.keyed {
		ws = append(ws, k.win)
	}
	return ws
}

// globalClaim adds the global share's claim, if it has one.
func (s *sharing) globalClaim(wall int64) {
	w := s.global
	if w == nil {
		return
	}
	i := w.index(wall)
	tag := windowTag(i)
	c := s.globalShare.snapshot(tag)
	if c == (claimed{}) {
		return
	}
	s.claims = append(s.claims, claim{
		key: s.prefix + "g:" + strconv.FormatInt(i, 10), limit: w.limit, ttl: 2 * time.Duration(w.per),
		report: c, tag: tag,
	})
}

// storeKey is a key's counter in the store for window i: the key hashed,
// so that the store holds no address in the clear, and the same on every
// server.
func (s *sharing) storeKey(kind string, key *[16]byte, i int64) string {
	sum := sha256.Sum256(key[:])
	return s.prefix + kind + hex.EncodeToString(sum[:8]) + ":" + strconv.FormatInt(i, 10)
}

// settle applies the sync's answers (ok) or its failure to every share
// claimed.
func (s *sharing) settle(ok bool) {
	for i := range s.claims {
		c := &s.claims[i]
		if c.keyed == nil {
			s.globalShare.settle(c.tag, c.report.used, ok, c.grant, s.global.fresh.Load())
			continue
		}
		c.keyed.table.settle(c, ok)
	}
}
