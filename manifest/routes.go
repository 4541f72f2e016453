package manifest

import (
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// readRoutes reads a `routes` array whose elements are tables or the
// `"bind:pattern"` shorthand.
func readRoutes(t *table, k string, target Target) []*Route {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		t.typeErr(k, "an array of routes", v)
		return nil
	}
	var out []*Route
	for i, e := range arr {
		path := t.key(k) + "[" + strconv.Itoa(i) + "]"
		switch x := e.(type) {
		case string:
			out = append(out, shorthandRoute(t.r, path, x, target))
		case map[string]any:
			rt := t.r.table(path, x)
			out = append(out, readRoute(rt, target))
		default:
			t.r.errorf(path, "want a route table or \"bind:pattern\", got %s", describe(e))
		}
	}
	return out
}

// shorthandRoute reads `"http:/api/.*"`, or a bare `"/api/.*"` for the first bind.
func shorthandRoute(r *reader, path, s string, target Target) *Route {
	rt := &Route{Target: target, Pos: r.pos.of(path)}
	if strings.HasPrefix(s, "/") {
		rt.Pattern = s
		return rt
	}
	bind, pattern, ok := strings.Cut(s, ":")
	if !ok || !strings.HasPrefix(pattern, "/") || !isName(bind) {
		r.errorf(path, "route shorthand %q: want \"bind:/pattern\", as in \"http:/api/.*\"", s)
		return rt
	}
	rt.Bind, rt.Pattern = bind, pattern
	return rt
}

// pathKeys are the alternative ways a route matches the path; a route has at most one.
var pathKeys = []string{"pattern", "path_prefix", "path_exact", "path_regex"}

func readRoute(t *table, target Target) *Route {
	rt := &Route{Target: target, Pos: t.r.pos.of(t.path)}
	rt.Bind = t.str("bind")
	rt.Pattern = t.str("pattern")
	rt.PathPrefix = t.str("path_prefix")
	rt.PathExact = t.str("path_exact")
	rt.PathRegex = t.str("path_regex")
	var set []string
	for _, k := range pathKeys {
		if t.has(k) {
			set = append(set, k)
		}
	}
	if len(set) > 1 {
		t.r.errorf(t.path, "a route matches the path one way; it has %s", strings.Join(set, " and "))
	}
	for _, k := range []string{"path_prefix", "path_exact"} {
		if v := t.m[k]; v != nil {
			if s, _ := v.(string); !strings.HasPrefix(s, "/") {
				t.r.errorf(t.key(k), "%q must start with /", s)
			}
		}
	}
	rt.Host = strings.ToLower(t.str("host"))
	checkHost(t, rt.Host)
	rt.Methods = t.strs("methods")
	for i, m := range rt.Methods {
		if !isToken(m) {
			t.r.errorf(t.key("methods")+"["+strconv.Itoa(i)+"]", "%q is not an HTTP method", m)
		} else if up := strings.ToUpper(m); up != m {
			t.r.errorf(t.key("methods")+"["+strconv.Itoa(i)+"]", "methods are case-sensitive; write %q", up)
		}
	}
	rt.Headers = readHeaderMatch(t)
	rt.UAFilter = t.str("ua_filter")
	if v, ok := t.get("strip_prefix"); ok {
		switch x := v.(type) {
		case bool:
			rt.StripMatched = x
		case string:
			rt.StripPrefix = x
			if !strings.HasPrefix(x, "/") {
				t.r.errorf(t.key("strip_prefix"), "%q must start with /", x)
			}
		default:
			t.typeErr("strip_prefix", "a prefix string or true", v)
		}
	}
	rt.Rewrite = t.str("rewrite")
	rt.AddHeaders = readAddHeaders(t)
	rt.ReadTimeout = routeTimeout(t, "read_timeout")
	rt.ConnectTimeout = routeTimeout(t, "connect_timeout")
	rt.Description = t.str("description")
	rt.Rules = readRequestRules(t)
	t.finish()
	return rt
}

// routeTimeout reads `read_timeout = "120s"` or WarpDrive's `read_timeout_secs = 120`.
func routeTimeout(t *table, k string) time.Duration {
	d := t.duration(k, 0)
	if v, ok := t.get(k + "_secs"); ok {
		d = t.durationValue(k+"_secs", v, d)
	}
	return d
}

// readHeaderMatch reads WarpDrive's `header = { name, value }` and the
// table form `headers = { Name = "value" }`.
func readHeaderMatch(t *table) []Header {
	var hs []Header
	if ht := t.sub("header"); ht != nil {
		h := Header{Name: ht.str("name"), Value: ht.str("value")}
		if h.Name == "" {
			t.r.errorf(ht.path, "missing name")
		}
		ht.finish()
		hs = append(hs, h)
	}
	if ht := t.sub("headers"); ht != nil {
		for _, name := range sortedKeys(ht) {
			hs = append(hs, Header{Name: name, Value: ht.str(name)})
		}
	}
	for _, h := range hs {
		if h.Name != "" && !isToken(h.Name) {
			t.r.errorf(t.path, "%q is not a header name", h.Name)
		}
	}
	for i := range hs {
		hs[i].Name = textproto.CanonicalMIMEHeaderKey(hs[i].Name)
	}
	return hs
}

// readAddHeaders reads `add_headers = { Name = "value" }` or WarpDrive's
// `add_headers = [{ name, value }]`.
func readAddHeaders(t *table) []Header {
	v, ok := t.get("add_headers")
	if !ok {
		return nil
	}
	var hs []Header
	switch x := v.(type) {
	case map[string]any:
		ht := t.r.table(t.key("add_headers"), x)
		for _, name := range sortedKeys(ht) {
			hs = append(hs, Header{Name: name, Value: ht.str(name)})
		}
	case []any:
		for _, ht := range t.tableList("add_headers", x) {
			h := Header{Name: ht.str("name"), Value: ht.str("value")}
			if h.Name == "" {
				t.r.errorf(ht.path, "missing name")
			}
			ht.finish()
			hs = append(hs, h)
		}
	default:
		t.typeErr("add_headers", "a table { Name = \"value\" } or an array of { name, value }", v)
	}
	for _, h := range hs {
		if h.Name != "" && !isToken(h.Name) {
			t.r.errorf(t.key("add_headers"), "%q is not a header name", h.Name)
		}
		if strings.ContainsAny(h.Value, "\r\n\x00") {
			t.r.errorf(t.key("add_headers"), "the value of %s holds a line break", h.Name)
		}
	}
	return hs
}

func checkHost(t *table, h string) {
	if h == "" {
		return
	}
	name := strings.TrimPrefix(h, "*.")
	if name == "" || strings.ContainsAny(name, "*/: ") {
		t.r.errorf(t.key("host"), "host %q: want a name such as example.com or *.example.com (no port)", h)
	}
}

// isToken reports whether s is an RFC 9110 token (method and header names).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// isName reports whether s is a name as the crate README allows: ASCII,
// no spaces (letters, digits, '-', '_' and '.').
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
