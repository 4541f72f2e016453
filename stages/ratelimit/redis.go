package ratelimit

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// claimScript settles one key's claim atomically: it replaces the
// reservation the server held (ARGV[2]) by what it used (ARGV[1]), then
// reserves and returns its grant: what is left of the limit (ARGV[3])
// divided among the live servers (the set in KEYS[2]), rounded up, and
// never more than is left. The counter thus never holds less than the
// deployment admitted, nor grants past the limit.
const claimScript = `
local c = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]) - tonumber(ARGV[2]))
local left = tonumber(ARGV[3]) - c
local g = 0
if left > 0 then
  local n = math.max(1, redis.call('ZCARD', KEYS[2]))
  g = math.ceil(left / n)
  redis.call('INCRBY', KEYS[1], g)
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return g
`

var claimSHA = func() string {
	sum := sha1.Sum([]byte(claimScript))
	return hex.EncodeToString(sum[:])
}()

// redisStore is the store on Redis: one pipelined round trip per sync.
type redisStore struct {
	client  *redis.Client
	servers string        // the sorted set of live servers, scored by last sync (Unix ms)
	self    string        // this server's member in it
	stale   time.Duration // a server not heard from in this long is gone
}

func newRedisStore(cfg manifest.RateLimiting) (*redisStore, error) {
	opt, err := redis.ParseURL(cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("rate_limiting.store %s: %w", redacted(cfg.Store), err)
	}
	interval := max(cfg.SyncInterval, 100*time.Millisecond)
	// One attempt per sync, bounded by the interval: the next sync is the
	// retry, and a slow store must not pile syncs up.
	opt.MaxRetries = -1
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = interval, interval, interval
	opt.ContextTimeoutEnabled = true
	opt.PoolSize = 2
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	host, _ := os.Hostname()
	return &redisStore{
		client:  redis.NewClient(opt),
		servers: cfg.Prefix + "servers",
		self:    fmt.Sprintf("%s:%d:%s", host, os.Getpid(), rand.Text()[:8]),
		stale:   max(5*interval, time.Second),
	}, nil
}

// sync announces this server, counts the live ones, and settles every
// claim, in one pipeline.
func (r *redisStore) sync(ctx context.Context, now time.Time, claims []claim) (int, error) {
	p := r.client.Pipeline()
	ms := now.UnixMilli()
	p.ZAdd(ctx, r.servers, redis.Z{Score: float64(ms), Member: r.self})
	p.ZRemRangeByScore(ctx, r.servers, "-inf", fmt.Sprint(ms-r.stale.Milliseconds()))
	p.PExpire(ctx, r.servers, 2*r.stale)
	count := p.ZCard(ctx, r.servers)
	if len(claims) > 0 {
		p.ScriptLoad(ctx, claimScript) // cheap, and survives a restarted Redis
	}
	cmds := make([]*redis.Cmd, len(claims))
	for i := range claims {
		c := &claims[i]
		cmds[i] = p.EvalSha(ctx, claimSHA, []string{c.key, r.servers},
			c.report.used, c.report.held, c.limit, c.ttl.Milliseconds())
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, fmt.Errorf("rate-limit sync: %w", err)
	}
	for i := range claims {
		g, err := cmds[i].Int64()
		if err != nil {
			return 0, fmt.Errorf("rate-limit sync: %s: %w", claims[i].key, err)
		}
		claims[i].grant = uint64(max(g, 0))
	}
	return int(count.Val()), nil
}

// leave takes this server out of the live set, so that the others count
// one fewer at their next sync rather than once it has gone stale.
func (r *redisStore) leave(ctx context.Context) error {
	defer r.client.Close()
	return r.client.ZRem(ctx, r.servers, r.self).Err()
}
