package manifest

import "net/netip"

// RequestRules are what a client may send through a bind or a route:
// `max_body_size`, `max_header_count` and `underscores_in_headers`, set on
// a bind (`http = { addr = "…", max_body_size = "1MiB" }`) and overridden
// per route. A zero field is unset: a route's takes its bind's, a bind's
// the default (RulesOf).
type RequestRules struct {
	// MaxBodySize is the largest request body, in bytes; a larger one gets
	// 413, before the target is reached when Content-Length says so
	// (DefaultMaxBodySize).
	MaxBodySize int64
	// MaxHeaderCount is the most fields a request head may have; more gets
	// 431 (DefaultMaxHeaderCount).
	MaxHeaderCount int
	// Underscores keeps header names with '_', which are dropped by
	// default as nginx does (a CGI target cannot tell X_Forwarded_For from
	// X-Forwarded-For); nil is unset.
	Underscores *bool
}

// The defaults of RequestRules: nginx's spirit (client_max_body_size,
// underscores_in_headers off), sized for apps that take uploads.
const (
	DefaultMaxBodySize    = 16 << 20
	DefaultMaxHeaderCount = 100
	// maxBodySizeBound is the largest max_body_size accepted (1 TiB).
	maxBodySizeBound = 1 << 40
)

// over fills the unset fields of r with those of parent.
func (r RequestRules) over(parent RequestRules) RequestRules {
	if r.MaxBodySize == 0 {
		r.MaxBodySize = parent.MaxBodySize
	}
	if r.MaxHeaderCount == 0 {
		r.MaxHeaderCount = parent.MaxHeaderCount
	}
	if r.Underscores == nil {
		r.Underscores = parent.Underscores
	}
	return r
}

// KeepUnderscores reports whether header names with '_' go on.
func (r RequestRules) KeepUnderscores() bool { return r.Underscores != nil && *r.Underscores }

// RulesOf returns the rules of route rt on the bind named bind: the
// route's, then the bind's, then the defaults. rt may be nil (a request
// that matches no route).
func (m *Manifest) RulesOf(bind string, rt *Route) RequestRules {
	var r RequestRules
	if rt != nil {
		r = rt.Rules
	}
	for _, b := range m.Mothership.Binds {
		if b.Name == bind {
			r = r.over(b.Rules)
		}
	}
	return r.over(RequestRules{MaxBodySize: DefaultMaxBodySize, MaxHeaderCount: DefaultMaxHeaderCount})
}

// readRequestRules reads the RequestRules keys of a bind's or a route's
// table.
func readRequestRules(t *table) RequestRules {
	var r RequestRules
	if v, ok := t.get("max_body_size"); ok {
		r.MaxBodySize = t.byteSize("max_body_size", v, 0, 1, maxBodySizeBound)
	}
	r.MaxHeaderCount = int(t.integer("max_header_count", 0, 1, 10000))
	if t.has("underscores_in_headers") {
		keep := t.boolean("underscores_in_headers", false)
		r.Underscores = &keep
	}
	return r
}

// ProxyProtocol is a bind's `proxy_protocol`: `true` believes a PROXY
// header from any peer; `{ trusted = ["10.0.0.0/8"], untrusted =
// "refuse" }` only from those senders.
type ProxyProtocol struct {
	// Enabled accepts PROXY v1 and v2 headers (and plain connections).
	Enabled bool
	// Trusted are the peers whose PROXY header is believed; empty believes
	// any peer's (`proxy_protocol = true`), which clearance warns about.
	Trusted []netip.Prefix
	// Untrusted is what a PROXY header from another peer gets:
	// UntrustedRefuse (the connection is closed) or UntrustedIgnore (the
	// header is read and dropped, the peer's own address kept).
	Untrusted string
}

// The values of ProxyProtocol.Untrusted.
const (
	UntrustedRefuse = "refuse"
	UntrustedIgnore = "ignore"
)

// readProxyProtocol reads `proxy_protocol = true` or the table form.
func readProxyProtocol(t *table) ProxyProtocol {
	v, ok := t.get("proxy_protocol")
	if !ok {
		return ProxyProtocol{}
	}
	switch x := v.(type) {
	case bool:
		if x {
			t.r.warnf(t.key("proxy_protocol"), "any peer that reaches this bind may send a PROXY header and pick its address (per-IP limits, shields and logs then believe it); write proxy_protocol = { trusted = [\"10.0.0.0/8\"] } with the load balancers' addresses")
		}
		return ProxyProtocol{Enabled: x, Untrusted: UntrustedRefuse}
	case map[string]any:
		pt := t.r.table(t.key("proxy_protocol"), x)
		p := ProxyProtocol{Enabled: true, Trusted: readPrefixes(pt, "trusted"), Untrusted: pt.str("untrusted")}
		if !pt.has("trusted") {
			pt.r.errorf(pt.path, "missing trusted (the load balancers' addresses, such as [\"10.0.0.0/8\"]); write proxy_protocol = true to believe any peer")
		}
		switch p.Untrusted {
		case "":
			p.Untrusted = UntrustedRefuse
		case UntrustedRefuse, UntrustedIgnore:
		default:
			pt.r.errorf(pt.key("untrusted"), "%q: want %q (close the connection) or %q (drop the header)", p.Untrusted, UntrustedRefuse, UntrustedIgnore)
		}
		pt.finish()
		return p
	}
	t.typeErr("proxy_protocol", `true, false or a table { trusted = ["10.0.0.0/8"], untrusted = "refuse" }`, v)
	return ProxyProtocol{}
}
