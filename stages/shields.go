package stages

// The shields stage: each request's JA4H fingerprint (see ja4h.go and
// rawhead.go) is offered to the ship as X-JA4H, logged at debug level, and
// checked against the `[[mothership.shields]]` rules, which block or
// redirect a request by fingerprint, fingerprint prefix or User-Agent.

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/useragent"
)

// hdrJA4H carries the fingerprint to the ship. The engine removes what the
// client sent under that name from every request, so that a ship sees
// only the one the shields stage computed.
const hdrJA4H = "X-Ja4h"

// DebugFunc logs a debug event: a message and key-value pairs, as
// telemetry.Log.Debug and slog take them.
type DebugFunc = func(msg string, kv ...any)

// shields is one route's shields stage: the rules of its bind, in
// manifest order, and the debug log.
type shields struct {
	rules  []*shieldRule
	needUA bool
	debug  DebugFunc
}

// shieldRule is a compiled rule: a request that meets all its conditions
// gets its answer.
type shieldRule struct {
	name     string
	ja4h     []byte // exact fingerprint, or nil
	prefix   []byte // fingerprint prefix, or nil
	ua       useragent.Filter
	hasUA    bool
	answer   *plainAnswer
	location []string // for a redirect
}

// buildShields gives a route the shields stage when a rule applies to its
// bind, or when debug logging is on (the fingerprint is logged with every
// request); otherwise the route goes without.
func buildShields(c *compiler, r *routetree.Route) (Stage, error) {
	s := &shields{debug: c.debug}
	for _, m := range c.shields {
		if m.Bind != "" && m.Bind != r.Bind {
			continue
		}
		rule, err := newShieldRule(m)
		if err != nil {
			return nil, err
		}
		s.rules = append(s.rules, rule)
		s.needUA = s.needUA || rule.hasUA
	}
	if len(s.rules) == 0 && s.debug == nil {
		return nil, nil
	}
	c.fingerprinted[r.Bind] = true
	return s, nil
}

func newShieldRule(m *manifest.Shield) (*shieldRule, error) {
	r := &shieldRule{name: m.Name}
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
	if m.Action == manifest.ShieldRedirect {
		text = fmt.Sprintf("%d %s: %s", status, strings.ToLower(http.StatusText(status)), m.Location)
		r.location = []string{m.Location}
	}
	r.answer = newPlainAnswer(status, text)
	return r, nil
}

// match reports whether the request meets every condition of r. A request
// without a fingerprint meets no fingerprint condition.
func (r *shieldRule) match(fp []byte, ua string, class useragent.Class) bool {
	if r.ja4h != nil && !bytes.Equal(fp, r.ja4h) {
		return false
	}
	if r.prefix != nil && (len(fp) == 0 || !bytes.HasPrefix(fp, r.prefix)) {
		return false
	}
	return !r.hasUA || r.ua.Match(ua, class)
}

func (r *shieldRule) write(w ResponseWriter) {
	if r.location != nil {
		w.Header()["Location"] = r.location[:1:1]
	}
	r.answer.write(w)
}

// headOf is the raw-head recorder of x's connection, or nil.
func headOf(x *Exchange) *headConn {
	if x.ctx == nil {
		return nil
	}
	c, _ := x.ctx.Value(connKey{}).(*conn)
	if c == nil {
		return nil
	}
	return c.head
}

func (s *shields) Serve(x *Exchange, next Handler) {
	hc := headOf(x)
	fp := hc.fingerprint()
	if len(fp) > 0 {
		x.Header[hdrJA4H] = hc.headerValue(fp)
	} else {
		delete(x.Header, hdrJA4H)
	}
	var ua string
	var class useragent.Class
	if s.needUA || s.debug != nil {
		ua = firstValue(x.Header["User-Agent"])
		class = useragent.Classify(ua)
	}
	if s.debug != nil {
		s.debug("request", "method", x.Method, "path", x.Path, "ua", class.String(), "shields", string(fp))
	}
	for _, r := range s.rules {
		if r.match(fp, ua, class) {
			if s.debug != nil {
				s.debug("shield", "name", r.name, "status", r.answer.status, "shields", string(fp))
			}
			r.write(x.Response)
			return
		}
	}
	next.Serve(x)
}
