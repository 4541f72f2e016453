package stages

import (
	"net/netip"
	"strings"
)

// trustedProxies are the peers whose X-Forwarded-* headers are believed.
type trustedProxies []netip.Prefix

func (t trustedProxies) contains(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client resolves the client's address. From an untrusted peer it is the
// peer: anything the client wrote in X-Forwarded-For is its own claim. From
// a trusted one it is the rightmost X-Forwarded-For entry that is not itself
// a trusted proxy, since every hop to its right vouched for the one before;
// an unparsable entry stops the walk at the last address vouched for.
func (t trustedProxies) client(peer netip.Addr, trusted bool, xff []string) netip.Addr {
	if !trusted {
		return peer
	}
	c := peer
	for i := len(xff) - 1; i >= 0; i-- {
		list := xff[i]
		for list != "" {
			var entry string
			if j := strings.LastIndexByte(list, ','); j >= 0 {
				list, entry = list[:j], list[j+1:]
			} else {
				list, entry = "", list
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, err := netip.ParseAddr(entry)
			if err != nil {
				return c
			}
			c = a.Unmap()
			if !t.contains(c) {
				return c
			}
		}
	}
	return c
}
