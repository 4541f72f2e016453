package ratelimit

import (
	"crypto/sha256"
	"net/netip"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// Rate is a shield rule's `rate`: at most Count requests per Per for each
// key, a bucket per key in a key table of its own, and with a store the
// same for the whole deployment, shared through the server's sync as the
// per-IP limit is (its counters are `<prefix>shield:<rule>:<hash>:<window>`).
type Rate struct {
	table *keyTable
	win   *window // the shared window; nil without a store
	// wallOffset turns now into Unix nanoseconds, with a store.
	wallOffset int64
	now        func() int64
	limited    Counter
}

// rateKey keeps a rule's Rate in pipeline.Build.Shared: one for every
// route and bind of the server, as the rule is one.
type rateKey struct{ rule string }

// NewRate returns the server's count of the shield rule called rule, at
// rate r: made on the first call, the same for every route after.
func NewRate(b *pipeline.Build, rule string, r manifest.Rate) (*Rate, error) {
	v, err := b.Shared(rateKey{rule}, func() (any, error) {
		rt := newRate(r, monotonicNow)
		rt.limited = observer(b).Rule(rule)
		s, err := sharingOf(b)
		if err != nil {
			return nil, err
		}
		if s != nil {
			rt.share(s, r, rule)
		}
		return rt, nil
	})
	rt, _ := v.(*Rate)
	return rt, err
}

func newRate(r manifest.Rate, now func() int64) *Rate {
	return &Rate{table: newKeyTable(newGCRA(float64(r.Count), r.Per)), now: now, limited: nopCounter{}}
}

// share makes the rate hold for the deployment, through s.
func (rt *Rate) share(s *sharing, r manifest.Rate, rule string) {
	rt.win = s.addKeyed(rt.table, r.Per, float64(r.Count), "shield:"+rule+":").win
	rt.wallOffset = s.wallOffset
}

// Take counts one request of key, or, over the rate, tells how long until
// key may make one and counts the refusal. It does not allocate.
func (rt *Rate) Take(key *[16]byte) (wait time.Duration) {
	now := rt.now()
	if w := rt.table.take(key, now, rt.win, now+rt.wallOffset); w > 0 {
		rt.limited.Inc()
		return time.Duration(w)
	}
	return 0
}

// FingerprintKey is a rate's key for a fingerprint: its SHA-256, cut to
// the table's 16 bytes, the same on every server. A fingerprint is the
// client's to choose, so a keyed hash would protect nothing here; the
// table seeds its own hash against floods.
func FingerprintKey(fp []byte) [16]byte {
	sum := sha256.Sum256(fp)
	return [16]byte(sum[:16])
}

// AddrKey is a rate's key for a client address: an IPv4 address and its
// IPv4-mapped form are one client, and every unknown address (the zero
// Addr, all zeroes) one key.
func AddrKey(a netip.Addr) [16]byte { return a.As16() }
