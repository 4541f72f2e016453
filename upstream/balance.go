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
	// inflight counts requests in flight, for least_conn.
	inflight atomic.Int64
}

// balancer picks a target per request.
type balancer struct {
	targets  []*target
	strategy strategy
	next     atomic.Uint64
}

func (p *balancer) pick(client netip.Addr) *target {
	n := uint64(len(p.targets))
	if n == 1 {
		return p.targets[0]
	}
	switch p.strategy {
	case leastConn:
		start := p.next.Add(1)
		best := p.targets[start%n]
		for i := uint64(1); i < n; i++ {
			if t := p.targets[(start+i)%n]; t.inflight.Load() < best.inflight.Load() {
				best = t
			}
		}
		return best
	case random:
		return p.targets[rand.Uint64N(n)]
	case ipHash:
		return p.targets[hashAddr(client)%n]
	}
	return p.targets[(p.next.Add(1)-1)%n]
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
