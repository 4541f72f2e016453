package upstream

import (
	"net/netip"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

func newBalancer(s strategy, n int) *balancer {
	p := &balancer{strategy: s}
	for i := range n {
		p.targets = append(p.targets, &target{pool: NewPool(manifest.Addr{Network: "tcp", Address: string(rune('a' + i))}, 0)})
	}
	return p
}

func TestPoolStrategies(t *testing.T) {
	client := netip.MustParseAddr("198.51.100.7")
	t.Run("round_robin", func(t *testing.T) {
		p := newBalancer(roundRobin, 3)
		for i := range 6 {
			if got, want := p.targets[p.pick(client)], p.targets[i%3]; got != want {
				t.Fatalf("pick %d: %s, want %s", i, got.pool.Addr().Address, want.pool.Addr().Address)
			}
		}
	})
	t.Run("least_conn", func(t *testing.T) {
		p := newBalancer(leastConn, 3)
		p.targets[0].inflight.Store(4)
		p.targets[1].inflight.Store(1)
		p.targets[2].inflight.Store(3)
		for i := range 5 {
			if got := p.targets[p.pick(client)]; got != p.targets[1] {
				t.Fatalf("pick %d: %s, want the least loaded b", i, got.pool.Addr().Address)
			}
		}
		p.targets[1].inflight.Store(4)
		p.targets[2].inflight.Store(4)
		p.targets[0].inflight.Store(4)
		seen := map[*target]bool{}
		for range 6 {
			seen[p.targets[p.pick(client)]] = true
		}
		if len(seen) != 3 {
			t.Errorf("ties went to %d of 3 targets, want spread", len(seen))
		}
	})
	t.Run("random", func(t *testing.T) {
		p := newBalancer(random, 3)
		seen := map[*target]bool{}
		for range 200 {
			seen[p.targets[p.pick(client)]] = true
		}
		if len(seen) != 3 {
			t.Errorf("200 random picks reached %d of 3 targets", len(seen))
		}
	})
	t.Run("ip_hash", func(t *testing.T) {
		p := newBalancer(ipHash, 5)
		first := p.targets[p.pick(client)]
		for range 10 {
			if p.targets[p.pick(client)] != first {
				t.Fatal("one client went to two targets")
			}
		}
		seen := map[*target]bool{}
		for i := range 64 {
			seen[p.targets[p.pick(netip.AddrFrom4([4]byte{10, 0, byte(i), 1}))]] = true
		}
		if len(seen) < 5 {
			t.Errorf("64 clients hashed to %d of 5 targets", len(seen))
		}
		p.pick(netip.Addr{}) // an unknown client still gets a target
	})
	if strategyOf("") != roundRobin || strategyOf("least_conn") != leastConn {
		t.Error("strategyOf: the manifest's names map to the wrong strategies")
	}
}
