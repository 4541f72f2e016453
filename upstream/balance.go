package upstream

import (
	"math/rand/v2"
	"net/netip"
	"sync/atomic"

	"github.com/mothership-go/mothership/internal/shipgate"
)

// strategy is how a request picks among a route's addresses.
type strategy uint8

const (
	roundRobin strategy = iota
	leastConn
	random
	ipHash
)

// strategyOf maps the manifest's strategy names (checked by the manifest)
// to strategies; the empty name is round_robin.
func strategyOf(s string) strategy {
	switch s {
	case "least_conn":
		return leastConn
	case "random":
		return random
	case "ip_hash":
		return ipHash
	}
	return roundRobin
}

// target is one address of a route, with its pool.
type target struct {
	pool *Pool
	// gate is the routing state of the ship at this address; nil when no
	// ship of the fleet binds it.
	gate *shipgate.Gate
	// member is the address's health in its upstream pool; nil for a
	// ship's address.
	member *member
	// inflight counts requests in flight, for least_conn.
	inflight atomic.Int64
}

// balancer picks a target per request.
type balancer struct {
	targets  []*target
	strategy strategy
	next     atomic.Uint64
}

// pick returns the index of the target the strategy picks for client,
// whether it takes traffic or not.
func (p *balancer) pick(client netip.Addr) int {
	n := uint64(len(p.targets))
	if n == 1 {
		return 0
	}
	switch p.strategy {
	case leastConn:
		start := p.next.Add(1)
		best := start % n
		for i := uint64(1); i < n; i++ {
			if j := (start + i) % n; p.targets[j].inflight.Load() < p.targets[best].inflight.Load() {
				best = j
			}
		}
		return int(best)
	case random:
		return int(rand.Uint64N(n))
	case ipHash:
		return int(hashAddr(client) % n)
	}
	return int((p.next.Add(1) - 1) % n)
}

// usableFrom returns the first target from index i on (wrapping round)
// that takes traffic, skipping skip, with its gate's mark; nil when none
// does. Starting at the pick spreads a member's share over the others
// instead of piling it on the first.
func (p *balancer) usableFrom(i int, skip *target) (*target, shipgate.Mark) {
	n := len(p.targets)
	for k := range n {
		t := p.targets[(i+k)%n]
		if t == skip || !t.member.available() {
			continue
		}
		if m := t.gate.Mark(); m.Up() {
			return t, m
		}
	}
	return nil, shipgate.Mark{}
}

// failover returns another target than t that takes traffic, for a
// request whose connection to t failed; nil when there is none.
func (p *balancer) failover(t *target) (*target, shipgate.Mark) {
	for i, o := range p.targets {
		if o == t {
			return p.usableFrom(i+1, t)
		}
	}
	return nil, shipgate.Mark{}
}

// hashAddr hashes a client address for ip_hash: FNV-1a over its 16 bytes,
// whose low bits are poorly mixed for addresses that differ in one octet,
// then fmix64 to spread them. It must be deterministic across instances
// behind one load balancer, so no seed.
func hashAddr(a netip.Addr) uint64 {
	h := uint64(14695981039346656037)
	for _, b := range a.As16() {
		h ^= uint64(b)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}
