package ratelimit

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// claimScript settles a batch of claims atomically, each in turn: it
// replaces the reservation the server held (held) by what it used (used),
// then reserves and returns its grant: what is left of the limit divided
// among the live servers (the set in KEYS[1]), rounded up, and never more
// than is left. A counter thus never holds less than the deployment
// admitted, nor grants past the limit. KEYS[1+i] is claim i's counter and
// ARGV[4i-3..4i] its used, held, limit and expiry in milliseconds, set
// when the counter is made.
const claimScript = `
local n = math.max(1, redis.call('ZCARD', KEYS[1]))
local grants = {}
for i = 2, #KEYS do
  local a = (i - 2) * 4
  local delta = tonumber(ARGV[a+1]) - tonumber(ARGV[a+2])
  local c = redis.call('INCRBY', KEYS[i], delta)
  if c == delta then
    redis.call('PEXPIRE', KEYS[i], ARGV[a+4]) -- the counter is new
  end
  local left = tonumber(ARGV[a+3]) - c
  local g = 0
  if left > 0 then
    g = math.ceil(left / n)
    redis.call('INCRBY', KEYS[i], g)
  end
  grants[i - 1] = g
end
return grants
`

// claimBatch is how many claims one script call settles: enough to make
// the per-call cost small, few enough that Redis is not held for long.
const claimBatch = 500

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

// quiet is go-redis's logger: the stage logs the store going and coming
// back once each, where go-redis would print every failed dial.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

var silenceRedis = sync.OnceFunc(func() { redis.SetLogger(quiet{}) })

func newRedisStore(cfg manifest.RateLimiting) (*redisStore, error) {
	silenceRedis()
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
	var cmds []*redis.Cmd
	for lo := 0; lo < len(claims); lo += claimBatch {
		batch := claims[lo:min(lo+claimBatch, len(claims))]
		keys := make([]string, 1, 1+len(batch))
		keys[0] = r.servers
		args := make([]any, 0, 4*len(batch))
		for i := range batch {
			c := &batch[i]
			keys = append(keys, c.key)
			args = append(args, c.report.used, c.report.held, c.limit, c.ttl.Milliseconds())
		}
		cmds = append(cmds, p.EvalSha(ctx, claimSHA, keys, args...))
	}
	if _, err := p.Exec(ctx); err != nil {
		return 0, fmt.Errorf("rate-limit sync: %w", err)
	}
	for bi, cmd := range cmds {
		grants, err := cmd.Int64Slice()
		if err != nil || len(grants) != min(claimBatch, len(claims)-bi*claimBatch) {
			return 0, fmt.Errorf("rate-limit sync: claim batch %d: %d grants, %w", bi, len(grants), err)
		}
		for i, g := range grants {
			claims[bi*claimBatch+i].grant = uint64(max(g, 0))
		}
	}
	return int(count.Val()), nil
}

// leave takes this server out of the live set, so that the others count
// one fewer at their next sync rather than once it has gone stale.
func (r *redisStore) leave(ctx context.Context) error {
	defer r.client.Close()
	return r.client.ZRem(ctx, r.servers, r.self).Err()
}
