package manifest

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// redirectStatuses are the statuses a redirect rule may answer with.
var redirectStatuses = []int64{301, 302, 303, 307, 308}

func readShield(t *table) *Shield {
	s := &Shield{Pos: t.r.pos.of(t.path)}
	s.Name = t.str("name")
	s.JA4H = t.str("ja4h")
	s.JA4HPrefix = t.str("ja4h_prefix")
	s.UAFilter = t.str("ua_filter")
	s.Bind = t.str("bind")
	s.Action = cmp.Or(t.str("action"), ShieldBlock)
	s.Location = t.str("location")
	if s.JA4H == "" && s.JA4HPrefix == "" && s.UAFilter == "" {
		t.r.errorf(t.path, "a shield needs a condition: ja4h, ja4h_prefix or ua_filter (a rule without one would stop every request)")
	}
	if s.JA4H != "" && s.JA4HPrefix != "" {
		t.r.errorf(t.path, "ja4h and ja4h_prefix both set; keep one")
	}
	for _, k := range []string{"ja4h", "ja4h_prefix"} {
		if v, _ := t.m[k].(string); strings.ContainsAny(v, " \t") {
			t.r.errorf(t.key(k), "%q is not a JA4H fingerprint (no spaces)", v)
		}
	}
	switch s.Action {
	case ShieldBlock:
		s.Status = int(t.integer("status", 403, 400, 599))
		if t.has("location") {
			t.r.errorf(t.key("location"), "location goes with action = \"redirect\"")
		}
	case ShieldRedirect:
		s.Status = int(t.integer("status", 302, 301, 308))
		if !slices.Contains(redirectStatuses, int64(s.Status)) {
			t.r.errorf(t.key("status"), "a redirect answers 301, 302, 303, 307 or 308, not %d", s.Status)
		}
		if u, err := url.Parse(s.Location); s.Location == "" || err != nil || (u.Scheme == "" && !strings.HasPrefix(s.Location, "/")) {
			t.r.errorf(t.key("location"), "a redirect needs a location: an absolute URL or a path starting with /")
		}
	default:
		t.r.errorf(t.key("action"), "unknown action %q; want \"block\" or \"redirect\"", s.Action)
	}
	t.finish()
	return s
}
