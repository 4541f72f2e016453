package ratelimit

import (
	"math/bits"
	"math/rand/v2"
	"sync"
	"time"
)

// The shape of a key table: tableShards × tableSets × tableWays buckets.
const (
	tableShards   = 64
	tableSets     = 128
	tableWays     = 8
	tableCapacity = tableShards * tableSets * tableWays
)

// keyTable is a bucket per key (a client's address, or a digest of a
// fingerprint), in a fixed table allocated once: per_ip_rpm's, and each
// shield rule's with a rate. A key's shard (behind its own mutex) and set
// are picked by a seeded hash of it; a new key takes the way of its set
// whose TAT is earliest: an idle bucket (TAT passed, so nothing is lost),
// or under a flood of distinct keys the one nearest to idle, so that a
// client that used its budget is the last to be forgotten. Memory is
// bounded by construction and taking a token allocates nothing.
type keyTable struct {
	rate   *gcra // interval and tolerance only; its tat is unused
	seed   [2]uint64
	shards [tableShards]keyShard
}

type keyShard struct {
	mu   sync.Mutex
	sets [tableSets][tableWays]keyBucket
	// evicted counts buckets dropped before they were idle.
	evicted int
}

// keyBucket is one key's bucket; an unused one is a zero TAT, which reads
// as a full bucket whatever its key.
type keyBucket struct {
	key   [16]byte
	tat   int64
	share share // with a store; see share.go
}

// newKeyTable is a table of buckets of rate, seeded afresh.
func newKeyTable(rate *gcra) *keyTable {
	return &keyTable{rate: rate, seed: [2]uint64{rand.Uint64(), rand.Uint64()}}
}

// take takes a token from key's bucket, or tells the wait. With a shared
// window w (nil without a store) the key's share in the window of wall
// must have room as well.
func (t *keyTable) take(key *[16]byte, now int64, w *window, wall int64) (wait int64) {
	h := t.hash(key)
	sh := &t.shards[h%tableShards]
	set := &sh.sets[(h/tableShards)%tableSets]
	sh.mu.Lock()
	b, victim := (*keyBucket)(nil), 0
	for i := range set {
		if set[i].key == *key {
			b = &set[i]
			break
		}
		if set[i].tat < set[victim].tat {
			victim = i
		}
	}
	tat := int64(0)
	if b != nil {
		tat = b.tat
	}
	next, wait := t.rate.next(tat, now)
	if wait == 0 {
		if b == nil {
			b = &set[victim]
			if b.tat > now {
				sh.evicted++
			}
			b.key = *key
			b.share.v.Store(0)
		}
		if w != nil && b.share.take(windowTag(w.index(wall)), w.fresh.Load()) == 0 {
			wait = w.wait(wall)
		} else {
			b.tat = next
		}
	}
	sh.mu.Unlock()
	return wait
}

// collect adds the claim of every share of k's table in the window of
// wall.
func (t *keyTable) collect(s *sharing, k *keyedLimit, wall int64) {
	i := k.win.index(wall)
	tag := windowTag(i)
	ttl := 2 * time.Duration(k.win.per)
	first := len(s.claims)
	for si := range t.shards {
		sh := &t.shards[si]
		sh.mu.Lock()
		for set := range sh.sets {
			for way := range sh.sets[set] {
				b := &sh.sets[set][way]
				if c := b.share.snapshot(tag); c != (claimed{}) {
					s.claims = append(s.claims, claim{limit: k.win.limit, ttl: ttl, report: c,
						keyed: k, bucket: b.key, shard: si, set: set, way: way, tag: tag})
				}
			}
		}
		sh.mu.Unlock()
	}
	for n := first; n < len(s.claims); n++ {
		c := &s.claims[n]
		c.key = s.storeKey(k.kind, &c.bucket, i)
	}
}

// settle applies the sync's answer to the share claim c read, if its
// bucket still holds the same key.
func (t *keyTable) settle(c *claim, ok bool) {
	sh := &t.shards[c.shard]
	sh.mu.Lock()
	if b := &sh.sets[c.set][c.way]; b.key == c.bucket {
		b.share.settle(c.tag, c.report.used, ok, c.grant, c.keyed.win.fresh.Load())
	}
	sh.mu.Unlock()
}

// hash is a seeded mix of the key: an attacker who does not know the
// seed cannot aim a flood at one set.
func (t *keyTable) hash(k *[16]byte) uint64 {
	lo := uint64(k[0]) | uint64(k[1])<<8 | uint64(k[2])<<16 | uint64(k[3])<<24 |
		uint64(k[4])<<32 | uint64(k[5])<<40 | uint64(k[6])<<48 | uint64(k[7])<<56
	hi := uint64(k[8]) | uint64(k[9])<<8 | uint64(k[10])<<16 | uint64(k[11])<<24 |
		uint64(k[12])<<32 | uint64(k[13])<<40 | uint64(k[14])<<48 | uint64(k[15])<<56
	h1, l1 := bits.Mul64(lo^t.seed[0], hi^t.seed[1])
	h2, l2 := bits.Mul64(h1^l1, 0x9e3779b97f4a7c15^t.seed[0])
	return h2 ^ l2
}

// live counts the buckets not yet idle at now, and the buckets dropped
// before they were idle; for tests and their documentation of the bound.
func (t *keyTable) live(now int64) (live, evicted int) {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for s := range sh.sets {
			for w := range sh.sets[s] {
				if sh.sets[s][w].tat > now {
					live++
				}
			}
		}
		evicted += sh.evicted
		sh.mu.Unlock()
	}
	return live, evicted
}
