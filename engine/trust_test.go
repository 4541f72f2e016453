package engine

import (
	"net/netip"
	"testing"

	"github.com/mothership-go/mothership/pipeline"
)

func TestClientAddress(t *testing.T) {
	trusted := TrustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}
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
		var h pipeline.Header
		h.Add("X-Other", "1.1.1.1")
		for _, v := range tc.xff {
			h.Add("X-Forwarded-For", v)
		}
		if got := trusted.Client(tc.peer, tc.trusted, &h); got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	if trusted.Contains(netip.Addr{}) {
		t.Error("an unknown address is trusted")
	}
}
