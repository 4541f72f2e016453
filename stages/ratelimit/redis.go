package ratelimit

import (
	"cmp"
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

// claimScript settles a batch of claims atomically, each in turn. A key's
// counter is a hash of what the deployment admitted (used) and what the
// servers hold reserved for the rest of the window (held). A claim adds
// what its server used and releases what it held, then reserves its grant:
// its part of what the deployment has not admitted, divided among the
// live servers (the set in KEYS[1]) and rounded up, but never more than
// neither admitted nor held by the others. A grant that counted the
// others' reservations as spent would shrink from server to server in one
// round (10, 6, 3 of 28 left for three servers), and a client spread over
// them would get less than the limit until the next syncs; a grant never
// past what is free keeps used + held within the limit. KEYS[1+i] is
// claim i's counter and ARGV[4i-3..4i] its used, held, limit and expiry
// in milliseconds, set when the counter is made.
const claimScript = `
local n = math.max(1, redis.call('ZCARD', KEYS[1]))
local grants = {}
for i = 2, #KEYS do
  local a = (i - 2) * 4
  local v = redis.call('HMGET', KEYS[i], 'used', 'held')
  local used = (tonumber(v[1]) or 0) + tonumber(ARGV[a+1])
  local held = (tonumber(v[2]) or 0) - tonumber(ARGV[a+2])
  local limit = tonumber(ARGV[a+3])
  local g = math.max(0, math.min(math.ceil((limit - used) / n), limit - used - held))
  redis.call('HSET', KEYS[i], 'used', used, 'held', held + g)
  if not v[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[a+4]) -- the counter is new
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
	interval := cmp.Or(cfg.SyncInterval, manifest.DefaultSyncInterval)
	timeout := syncTimeout(interval)
	// One attempt per sync, bounded by its timeout: the next sync is the
	// retry, and a slow store must not pile syncs up.
	opt.MaxRetries = -1
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = timeout, timeout, timeout
	opt.ContextTimeoutEnabled = true
	opt.PoolSize = 2
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	host, _ := os.Hostname()
	return &redisStore{
		client:  redis.NewClient(opt),
		servers: cfg.Prefix + "servers",
		self:    fmt.Sprintf("%s:%d:%s", host, os.Getpid(), rand.Text()[:8]),
		// A server is stale once it missed five syncs, and never before
		// two of its syncs could have timed out.
		stale: max(5*interval, 2*timeout),
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
