package stages

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

func newPool(s strategy, n int) *pool {
	p := &pool{strategy: s}
	for i := range n {
		p.targets = append(p.targets, &target{addr: manifest.Addr{Network: "tcp", Address: string(rune('a' + i))}})
	}
	return p
}

func TestPoolStrategies(t *testing.T) {
	client := netip.MustParseAddr("198.51.100.7")
	t.Run("round_robin", func(t *testing.T) {
		p := newPool(roundRobin, 3)
		for i := range 6 {
			if got, want := p.pick(client), p.targets[i%3]; got != want {
				t.Fatalf("pick %d: %s, want %s", i, got.addr.Address, want.addr.Address)
			}
		}
	})
	t.Run("least_conn", func(t *testing.T) {
		p := newPool(leastConn, 3)
		p.targets[0].inflight.Store(4)
		p.targets[1].inflight.Store(1)
		p.targets[2].inflight.Store(3)
		for i := range 5 {
			if got := p.pick(client); got != p.targets[1] {
				t.Fatalf("pick %d: %s, want the least loaded b", i, got.addr.Address)
			}
		}
		p.targets[1].inflight.Store(4)
		p.targets[2].inflight.Store(4)
		p.targets[0].inflight.Store(4)
		seen := map[*target]bool{}
		for range 6 {
			seen[p.pick(client)] = true
		}
		if len(seen) != 3 {
			t.Errorf("ties went to %d of 3 targets, want spread", len(seen))
		}
	})
	t.Run("random", func(t *testing.T) {
		p := newPool(random, 3)
		seen := map[*target]bool{}
		for range 200 {
			seen[p.pick(client)] = true
		}
		if len(seen) != 3 {
			t.Errorf("200 random picks reached %d of 3 targets", len(seen))
		}
	})
	t.Run("ip_hash", func(t *testing.T) {
		p := newPool(ipHash, 5)
		first := p.pick(client)
		for range 10 {
			if p.pick(client) != first {
				t.Fatal("one client went to two targets")
			}
		}
		seen := map[*target]bool{}
		for i := range 64 {
			seen[p.pick(netip.AddrFrom4([4]byte{10, 0, byte(i), 1}))] = true
		}
		if len(seen) < 5 {
			t.Errorf("64 clients hashed to %d of 5 targets", len(seen))
		}
		p.pick(netip.Addr{}) // an unknown client still gets a target
	})
	if _, err := parseStrategy("fastest"); err == nil {
		t.Error("parseStrategy accepted an unknown strategy")
	}
}

func TestClientAddress(t *testing.T) {
	trusted := trustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
	peer := netip.MustParseAddr("10.0.0.2")
	cases := []struct {
		name    string
		peer    netip.Addr
		trusted bool
		xff     []string
		want    string
	}{
		{"untrusted peer ignores the header", netip.MustParseAddr("203.0.113.9"), false, []string{"1.2.3.4"}, "203.0.113.9"},
		{"trusted peer without header", peer, true, nil, "10.0.0.2"},
		{"rightmost untrusted entry", peer, true, []string{"6.6.6.6, 198.51.100.1, 10.0.0.9"}, "198.51.100.1"},
		{"across header lines", peer, true, []string{"198.51.100.1", "10.0.0.9"}, "198.51.100.1"},
		{"all trusted: the leftmost", peer, true, []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"garbage stops the walk", peer, true, []string{"198.51.100.1, not-an-ip, 10.0.0.9"}, "10.0.0.9"},
		{"IPv6 and spaces", peer, true, []string{" 2001:db8::7 ,10.0.0.9"}, "2001:db8::7"},
		{"IPv4-mapped is unmapped", peer, true, []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
	}
	for _, tc := range cases {
		if got := trusted.client(tc.peer, tc.trusted, tc.xff); got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if trusted.contains(netip.Addr{}) {
		t.Error("an unknown address is trusted")
	}
}

func TestPathEdit(t *testing.T) {
	cases := []struct {
		name      string
		e         pathEdit
		path, raw string
		want, wr  string
	}{
		{"none", pathEdit{}, "/a/b", "", "/a/b", ""},
		{"strip", pathEdit{strip: "/api"}, "/api/users", "", "/users", ""},
		{"strip to root", pathEdit{strip: "/api"}, "/api", "", "/", ""},
		{"strip mid-segment keeps a slash", pathEdit{strip: "/api"}, "/apiv2", "", "/v2", ""},
		{"strip with trailing slash", pathEdit{strip: "/api/"}, "/api/x", "", "/x", ""},
		{"strip escaped", pathEdit{strip: "/api"}, "/api/a/b", "/api/a%2Fb", "/a/b", "/a%2Fb"},
		{"prefix absent", pathEdit{strip: "/api"}, "/other", "", "/other", ""},
		{"rewrite", pathEdit{from: "/old", to: "/new"}, "/old/x", "", "/new/x", ""},
		{"rewrite to root", pathEdit{from: "/old", to: ""}, "/old/x", "", "/x", ""},
		{"strip then rewrite", pathEdit{strip: "/v1", from: "/old", to: "/new"}, "/v1/old/x", "", "/new/x", ""},
	}
	for _, tc := range cases {
		p, r := tc.e.paths(tc.path, tc.raw)
		if p != tc.want || r != tc.wr {
			t.Errorf("%s: %q %q, want %q %q", tc.name, p, r, tc.want, tc.wr)
		}
	}
}

// TestCompileOrder checks a route's pipeline is [forward] today, ending in
// the handler that answers when no stage did.
func TestCompileOrder(t *testing.T) {
	m := parseManifest(t, bindOnly+ship("app", "127.0.0.1:9", `{ path_prefix = "/" }`))
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	c := &compiler{resolve: ManifestResolver(m), transports: transports{}, buffers: &bufferPool{}, errorLog: discardLog()}
	p, err := c.compile(tree.Binds[0].Routes[0], nopObserver{})
	if err != nil {
		t.Fatal(err)
	}
	l, ok := p.first.(*link)
	if !ok {
		t.Fatalf("pipeline starts with %T, want a link", p.first)
	}
	if _, ok := l.stage.(*forward); !ok {
		t.Errorf("first stage is %T, want forward", l.stage)
	}
	if _, ok := l.next.(unanswered); !ok {
		t.Errorf("forward is followed by %T, want the end of the pipeline", l.next)
	}
	w := &fakeWriter{header: http.Header{}}
	unanswered{}.Serve(&Exchange{Response: w})
	if w.status != 500 {
		t.Errorf("the end of a pipeline answered %d, want 500", w.status)
	}
}
