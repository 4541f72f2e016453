// Package shields is the shields stage: the `[[mothership.shields]]` rules,
// which block or redirect a request by its JA4H fingerprint (exact or by
// prefix) and its User-Agent class, checked in manifest order; the first
// rule whose conditions all hold answers. The fingerprint is the
// exchange's (pipeline.Exchange.JA4H, from the engine's header list); a
// rule that asks for a fingerprint the exchange lacks answers too: a
// shield fails closed.
//
// A rule with a `rate` answers only the requests over it: under the rate
// a request it matches goes on to the rules after it. The rate counts per
// fingerprint for a rule on one (the fingerprint is what the rule is
// about, whatever address sends it) and per client address for a rule on
// the User-Agent alone (one class holds many unrelated clients, whose
// fingerprints are often the same), in a ratelimit.Rate: local, or with
// a store shared by the deployment.
package shields

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/stages/ratelimit"
	"github.com/mothership-go/mothership/useragent"
)

// shields is one route's stage: the rules of its bind, in manifest order.
type shields struct {
	rules  []*rule
	needUA bool
	debug  pipeline.DebugFunc
}

// rule is a compiled rule: a request that meets all its conditions gets
// its answer.
type rule struct {
	name     string
	ja4h     []byte // exact fingerprint, or nil
	prefix   []byte // fingerprint prefix, or nil
	ua       useragent.Filter
	hasUA    bool
	answer   *pipeline.Answer
	location string // for a redirect
	// rate, when the rule has one, counts what the rule matches per
	// fingerprint (byFingerprint) or per client address.
	rate          *ratelimit.Rate
	byFingerprint bool
}

// Build gives a route the stage when a rule applies to its bind.
func Build(b *pipeline.Build, r *routetree.Route) (pipeline.Stage, error) {
	s := &shields{debug: b.Debug}
	for _, m := range b.Manifest.Mothership.Shields {
		if m.Bind != "" && m.Bind != r.Bind {
			continue
		}
		rl, err := newRule(b, m)
		if err != nil {
			return nil, err
		}
		s.rules = append(s.rules, rl)
		s.needUA = s.needUA || rl.hasUA
	}
	if len(s.rules) == 0 {
		return nil, nil
	}
	return s, nil
}

func newRule(b *pipeline.Build, m *manifest.Shield) (*rule, error) {
	r := &rule{name: m.Name}
	if !ja4h.Enabled && (m.JA4H != "" || m.JA4HPrefix != "") {
		return nil, fmt.Errorf("shield %q (line %d): this build leaves JA4H out (-tags noja4h): a rule on a fingerprint cannot hold", m.Name, m.Pos.Line)
	}
	if m.JA4H != "" {
		r.ja4h = []byte(m.JA4H)
	}
	if m.JA4HPrefix != "" {
		r.prefix = []byte(m.JA4HPrefix)
	}
	if m.UAFilter != "" {
		f, err := useragent.ParseFilter(m.UAFilter)
		if err != nil {
			return nil, fmt.Errorf("shield %q (line %d): %w", m.Name, m.Pos.Line, err)
		}
		r.ua, r.hasUA = f, true
	}
	status := m.Status
	text := fmt.Sprintf("%d %s: refused by a shield", status, strings.ToLower(http.StatusText(status)))
	if m.Rate != (manifest.Rate{}) {
		text = fmt.Sprintf("%d %s: over a shield's rate; retry after the time in Retry-After", status, strings.ToLower(http.StatusText(status)))
	}
	if m.Action == manifest.ShieldRedirect {
		text = fmt.Sprintf("%d %s: %s", status, strings.ToLower(http.StatusText(status)), m.Location)
		r.location = m.Location
	}
	r.answer = pipeline.NewAnswer(status, text)
	if m.Rate != (manifest.Rate{}) {
		rate, err := ratelimit.NewRate(b, m.Name, m.Rate)
		if err != nil {
			return nil, fmt.Errorf("shield %q (line %d): %w", m.Name, m.Pos.Line, err)
		}
		r.rate, r.byFingerprint = rate, r.ja4h != nil || r.prefix != nil
	}
	return r, nil
}

// match reports whether the request meets every condition of r. Without
// a fingerprint, a fingerprint condition holds: the rule cannot tell, so
// it refuses rather than let the request through.
func (r *rule) match(fp []byte, ua string, class useragent.Class) bool {
	if len(fp) > 0 {
		if r.ja4h != nil && !bytes.Equal(fp, r.ja4h) {
			return false
		}
		if r.prefix != nil && !bytes.HasPrefix(fp, r.prefix) {
			return false
		}
	}
	return !r.hasUA || r.ua.Match(ua, class)
}

func (r *rule) write(w pipeline.ResponseWriter) {
	if r.location != "" {
		w.Header().Set("Location", r.location)
	}
	r.answer.Write(w)
}

// Serve answers with the first rule that holds, or passes the request on.
func (s *shields) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	fp := x.JA4H()
	var class useragent.Class
	if s.needUA {
		class = useragent.Classify(x.UserAgent)
	}
	for _, r := range s.rules {
		if !r.match(fp, x.UserAgent, class) {
			continue
		}
		if r.rate != nil {
			key := r.rateKey(x, fp)
			wait := r.rate.Take(&key)
			if wait == 0 {
				continue // under its rate, the rule lets the request on
			}
			x.Response.Header().Set("Retry-After", ratelimit.RetryAfter(wait))
		}
		if s.debug != nil {
			s.debug("shield", "name", r.name, "status", r.answer.Status(), "shields", string(fp))
		}
		r.write(x.Response)
		return
	}
	next.Serve(x)
}

// rateKey is what r's rate counts the request under: its fingerprint, or
// its client's address.
func (r *rule) rateKey(x *pipeline.Exchange, fp []byte) [16]byte {
	if r.byFingerprint {
		return ratelimit.FingerprintKey(fp)
	}
	return ratelimit.AddrKey(x.Client)
}
