package manifest

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
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
	s.Rate = readRate(t, s.Name)
	switch s.Action {
	case ShieldBlock:
		status := int64(403)
		if s.Rate.Count > 0 {
			status = 429 // too many, not forbidden: the client may come back
		}
		s.Status = int(t.integer("status", status, 400, 599))
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

// rateUnits are the units a rule's rate may be counted in.
var rateUnits = map[string]time.Duration{
	"s": time.Second, "second": time.Second,
	"min": time.Minute, "minute": time.Minute,
	"h": time.Hour, "hour": time.Hour,
}

// readRate reads a rule's `rate = "60/min"`: whole requests per second,
// minute or hour, as the rate-limit store counts them. A rule with a rate
// needs a name, under which the store keeps its counters.
func readRate(t *table, name string) Rate {
	v, ok := t.get("rate")
	if !ok {
		return Rate{}
	}
	raw, ok := v.(string)
	if !ok {
		t.typeErr("rate", `a string such as "60/min"`, v)
		return Rate{}
	}
	n, unit, slash := strings.Cut(raw, "/")
	count, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
	per, known := rateUnits[strings.TrimSpace(unit)]
	switch {
	case !slash || err != nil || !known:
		t.r.errorf(t.key("rate"), "%q is not a rate; want whole requests per s, min or h, as \"60/min\"", raw)
		return Rate{}
	case count < 1 || count > MaxSharedCount:
		t.r.errorf(t.key("rate"), "%d requests per %s is out of range; want 1 to %d", count, strings.TrimSpace(unit), MaxSharedCount)
		return Rate{}
	case name == "":
		t.r.errorf(t.key("rate"), "a rule with a rate needs a name: its counters are kept under it")
	}
	return Rate{Count: count, Per: per}
}

// checkShieldNames refuses a name that two rules share when either has a
// rate: the two would count into one set of counters in the store and one
// metric. The later rule gets the error.
func checkShieldNames(r *reader, shields []*Shield) {
	for j, s := range shields {
		for _, o := range shields[:j] {
			if s.Name != "" && o.Name == s.Name && (s.Rate != (Rate{}) || o.Rate != (Rate{})) {
				r.errorf(s.Pos.Key+".name", "the rule at line %d is called %q too; a rule with a rate needs a name of its own", o.Pos.Line, s.Name)
				break
			}
		}
	}
}
