package routetree

import (
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/useragent"
)

// Route is a compiled route: the manifest's route with its matchers built.
type Route struct {
	// Index is the route's place in declaration order across the manifest,
	// from 0; the lowest index among matching routes wins.
	Index int
	// Bind is the name of the bind the route listens on.
	Bind string
	// Target is where the route forwards to.
	Target manifest.Target
	// Source is the route as the manifest declares it.
	Source *manifest.Route
	// StripPrefix is removed from the path before forwarding, resolved from
	// `strip_prefix = "/x"` or `strip_prefix = true`.
	StripPrefix string
	// RewritePrefix is the literal prefix that Source.Rewrite replaces.
	RewritePrefix string

	path    pathMatcher
	methods methodSet
	headers []manifest.Header
	ua      *useragent.Filter
}

// PathMatcher describes the compiled path matcher, as `chart` shows it:
// `exact /x`, `prefix /api/*`, `segments /repos/{seg}`, `regexp …`.
func (r *Route) PathMatcher() string { return r.path.desc }

// Headers is what a route's header matchers read; http.Header satisfies it.
type Headers interface {
	// Get returns the first value of the header with the canonical name, or "".
	Get(name string) string
}

// Request is what Lookup matches a route against.
type Request struct {
	// Host is the Host header or authority, with or without a port, any case.
	Host string
	// Method is the request method.
	Method string
	// Path is the request path, as decoded by the HTTP server.
	Path string
	// UserAgent is the User-Agent header.
	UserAgent string
	// Header gives the other headers; nil when the request has none to offer.
	Header Headers
}

// state is what one lookup computes at most once: the method's bit, and
// the User-Agent class, only when a candidate route asks for it.
type state struct {
	req    *Request
	method uint16
	uaDone bool
	ua     useragent.Class
}

func newState(req *Request) state {
	return state{req: req, method: methodBit(req.Method)}
}

func (st *state) uaClass() useragent.Class {
	if !st.uaDone {
		st.ua, st.uaDone = useragent.Classify(st.req.UserAgent), true
	}
	return st.ua
}

// matchRest checks the matchers other than host and path, cheapest first.
func (r *Route) matchRest(st *state) bool {
	if !r.methods.any && !r.methods.has(st.method, st.req.Method) {
		return false
	}
	if len(r.headers) > 0 && !r.matchHeaders(st.req) {
		return false
	}
	if r.ua != nil {
		return r.ua.Match(st.req.UserAgent, st.uaClass())
	}
	return true
}

func (r *Route) matchHeaders(req *Request) bool {
	if req.Header == nil {
		return false
	}
	for _, h := range r.headers {
		v := req.Header.Get(h.Name)
		if v == "" || h.Value != "" && v != h.Value {
			return false
		}
	}
	return true
}

// methodSet is a route's allowed methods: a bit for each standard method and
// a list for the rest; empty allows every method.
type methodSet struct {
	mask  uint16
	other []string
	any   bool
}

func newMethodSet(ms []string) methodSet {
	if len(ms) == 0 {
		return methodSet{any: true}
	}
	var s methodSet
	for _, m := range ms {
		if b := methodBit(m); b != 0 {
			s.mask |= b
		} else {
			s.other = append(s.other, m)
		}
	}
	return s
}

// has reports whether the set holds the method m, whose methodBit is bit.
func (s methodSet) has(bit uint16, m string) bool {
	if bit != 0 {
		return s.mask&bit != 0
	}
	for _, o := range s.other {
		if o == m {
			return true
		}
	}
	return false
}

func methodBit(m string) uint16 {
	switch m {
	case "GET":
		return 1 << 0
	case "HEAD":
		return 1 << 1
	case "POST":
		return 1 << 2
	case "PUT":
		return 1 << 3
	case "PATCH":
		return 1 << 4
	case "DELETE":
		return 1 << 5
	case "OPTIONS":
		return 1 << 6
	case "CONNECT":
		return 1 << 7
	case "TRACE":
		return 1 << 8
	}
	return 0
}
