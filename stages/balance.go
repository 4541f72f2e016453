package stages

import (
	"fmt"
	"math/rand/v2"
	"net/http/httputil"
	"net/netip"
	"sync/atomic"

	"github.com/mothership-go/mothership/manifest"
)

// strategy picks an address of a pool per request.
type strategy uint8

const (
	roundRobin strategy = iota
	leastConn
	random
	ipHash
)

func parseStrategy(s string) (strategy, error) {
	switch s {
	case "", "round_robin":
		return roundRobin, nil
	case "least_conn":
		return leastConn, nil
	case "random":
		return random, nil
	case "ip_hash":
		return ipHash, nil
	}
	return 0, fmt.Errorf("unknown strategy %q", s)
}

// target is one address of a route's target and the proxy that forwards to it.
type target struct {
	addr  manifest.Addr
	proxy *httputil.ReverseProxy
	// inflight counts requests in flight to addr; kept only by least_conn,
	// so that the other strategies do not contend on it.
	inflight atomic.Int64
}

// pool is the addresses of a route's target with the strategy that picks one.
type pool struct {
	targets  []*target
	strategy strategy
	next     atomic.Uint64
}

func (p *pool) pick(client netip.Addr) *target {
	n := uint64(len(p.targets))
	if n == 1 {
		return p.targets[0]
	}
	switch p.strategy {
	case leastConn:
		// Start the scan at a rotating place, so that ties spread out.
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

// hashAddr is FNV-1a over the address's 16-byte form, finished with
// MurmurHash3's fmix64: FNV alone leaves the low bits, which pick the
// target, poorly mixed when only one byte of the address varies. It is
// deterministic, so that every mothership behind one load balancer, and the
// next run, send a client to the same target. An unknown client hashes like
// the zero address.
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
