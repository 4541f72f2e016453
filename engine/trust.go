package engine

import (
	"net/netip"
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// TrustedProxies are the peers whose X-Forwarded-* headers are believed.
type TrustedProxies []netip.Prefix

// Contains reports whether a is one of the trusted proxies.
func (t TrustedProxies) Contains(a netip.Addr) bool {
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

// Client resolves the client's address. From an untrusted peer it is the
// peer: anything the client wrote in X-Forwarded-For is its own claim. From
// a trusted one it is the rightmost X-Forwarded-For entry that is not itself
// a trusted proxy, since every hop to its right vouched for the one before;
// an unparsable entry stops the walk at the last address vouched for.
func (t TrustedProxies) Client(peer netip.Addr, trusted bool, h *pipeline.Header) netip.Addr {
	if !trusted {
		return peer
	}
	c := peer
	last := -1
	for i := h.Index("X-Forwarded-For", 0); i >= 0; i = h.Index("X-Forwarded-For", i+1) {
		last = i
	}
	for i := last; i >= 0; i-- {
		if !httpsyntax.EqualFoldBoth(h.Name(i), "X-Forwarded-For") {
			continue
		}
		list := h.Value(i)
		for list != "" {
			var entry string
			if j := strings.LastIndexByte(list, ','); j >= 0 {
				list, entry = list[:j], list[j+1:]
			} else {
				list, entry = "", list
			}
			entry = httpsyntax.TrimOWS(entry)
			if entry == "" {
				continue
			}
			a, err := netip.ParseAddr(entry)
			if err != nil {
				return c
			}
			c = a.Unmap()
			if !t.Contains(c) {
				return c
			}
		}
	}
	return c
}
