package manifest

import (
	"net"
	"net/netip"
	"strconv"
)

// unsupportedWarpDrive are WarpDrive sections for features mothership does
// not have yet. They are refused, never ignored: a file that asks for a
// cache must not quietly serve without one.
var unsupportedWarpDrive = map[string]string{
	"cache":      "the response cache",
	"postgres":   "cache invalidation over PostgreSQL",
	"middleware": "the middleware switches",
}

// readWarpDrive adapts a WarpDrive routing file, the way Caddy adapts a
// Caddyfile: `[server]` ports become binds, `[upstreams.NAME]` become
// upstream pools (and ships, when they carry a `process`), `[[routes]]`
// become routes on the `http` bind.
func readWarpDrive(root *table, m *Manifest) {
	for _, k := range sortedKeys(root) {
		if what, ok := unsupportedWarpDrive[k]; ok {
			root.get(k)
			root.r.errorf(k, "[%s] asks for %s, which mothership does not support yet; remove the section", k, what)
		}
	}
	ms := &m.Mothership
	httpPort := int64(8080)
	// WarpDrive's ports bind loopback unless [server] host says otherwise:
	// a proxy that listens on every interface by default is reachable
	// from where nobody meant it to be.
	host, hostKey := "127.0.0.1", ""
	if st := root.sub("server"); st != nil {
		httpPort = st.integer("http_port", httpPort, 1, 65535)
		if st.has("host") {
			host, hostKey = st.str("host"), st.key("host")
		}
		if st.has("https_port") {
			p := st.integer("https_port", 443, 1, 65535)
			ms.Binds = append(ms.Binds, &Bind{Name: "https", Addr: Addr{Network: "tcp", Address: net.JoinHostPort(host, strconv.FormatInt(p, 10))}, Pos: root.r.pos.of(st.key("https_port"))})
		}
		if st.has("worker_threads") {
			st.integer("worker_threads", 0, 1, 1024)
			root.r.warnf(st.key("worker_threads"), "has no effect: Go schedules requests over every CPU (set GOMAXPROCS to limit it)")
		}
		ms.AccessLog = readAccessLog(st)
		st.finish()
	}
	if _, err := netip.ParseAddr(host); hostKey != "" && err != nil && host != "localhost" {
		root.r.errorf(hostKey, "%q is not an IP address; want one such as \"0.0.0.0\" or \"127.0.0.1\"", host)
	}
	readWarpTLS(root, m)
	http := &Bind{Name: "http", Addr: Addr{Network: "tcp", Address: net.JoinHostPort(host, strconv.FormatInt(httpPort, 10))}, Pos: root.r.pos.of("server.http_port")}
	ms.Binds = append([]*Bind{http}, ms.Binds...)

	if ups := root.sub("upstreams"); ups != nil {
		for _, name := range sortedKeys(ups) {
			if ut := ups.sub(name); ut != nil {
				readWarpUpstream(ut, name, m)
			}
		}
		ups.finish()
	}
	for _, rt := range root.tables("routes") {
		if rt.has("require_auth") {
			rt.get("require_auth")
			rt.r.errorf(rt.key("require_auth"), "require_auth asks for authentication at the proxy, which mothership does not support yet; remove it and check the token in the upstream")
		}
		name := rt.str("upstream")
		if name == "" {
			rt.r.errorf(rt.path, "missing upstream")
		}
		r := readRoute(rt, Target{Kind: TargetUpstream, Name: name})
		if u := findUpstream(m, name); u != nil {
			u.Routes = append(u.Routes, r)
		} else if name != "" {
			rt.r.errorf(rt.key("upstream"), "no upstream named %q%s", name, didYouMean(name, upstreamNames(m)))
		}
	}
	root.finish()
	defaultBinds(m)
}

// readWarpUpstream reads `[upstreams.NAME]`: an address (`host` + `port`, or
// `socket`) or `instances`, a `strategy`, `health`, and a `process` to supervise.
func readWarpUpstream(t *table, name string, m *Manifest) {
	u := &Upstream{Name: name, Pos: t.r.pos.of(t.path), Strategy: "round_robin"}
	if t.has("strategy") {
		u.Strategy = t.str("strategy")
		checkStrategy(t, "strategy", u.Strategy)
	}
	if a, ok := warpAddr(t); ok {
		u.Addrs = append(u.Addrs, a)
	}
	for _, it := range t.tables("instances") {
		if a, ok := warpAddr(it); ok {
			u.Addrs = append(u.Addrs, a)
		} else {
			it.r.errorf(it.path, "an instance needs host and port, or socket")
		}
		it.finish()
	}
	if ht := t.sub("health"); ht != nil {
		u.Health = readUpstreamHealth(ht)
	}
	if pt := t.sub("process"); pt != nil {
		s := &Ship{Group: "upstreams", Critical: true, BootTimeout: defaultBootTimeout}
		s.Process = readProcess(pt, Process{}, false)
		readHold(pt, s, &Ship{HoldOnRestart: defaultHoldOnRestart, HoldQueue: defaultHoldQueue})
		s.Name, s.Pos = name, u.Pos
		if s.Command == "" {
			pt.r.errorf(pt.path, "missing command")
		}
		if len(u.Addrs) == 1 {
			a := u.Addrs[0]
			s.Bind = &a
			if u.Health != nil {
				h := u.Health.Healthcheck
				s.Healthcheck = &h
			}
		}
		pt.finish()
		m.Ships = append(m.Ships, s)
	}
	if len(u.Addrs) == 0 {
		t.r.errorf(t.path, "upstream %q has no address: set host and port, socket, or [[upstreams.%s.instances]]", name, name)
	}
	t.finish()
	m.Mothership.Upstreams = append(m.Mothership.Upstreams, u)
}

func warpAddr(t *table) (Addr, bool) {
	if t.has("socket") {
		return Addr{Network: "unix", Address: t.str("socket")}, true
	}
	host := t.str("host")
	port := t.integer("port", 0, 1, 65535)
	if port == 0 {
		if host != "" {
			t.r.errorf(t.path, "host %q needs a port", host)
		}
		return Addr{}, false
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return Addr{Network: "tcp", Address: net.JoinHostPort(host, strconv.FormatInt(port, 10))}, true
}

func findUpstream(m *Manifest, name string) *Upstream {
	for _, u := range m.Mothership.Upstreams {
		if u.Name == name {
			return u
		}
	}
	return nil
}

func upstreamNames(m *Manifest) []string {
	var ns []string
	for _, u := range m.Mothership.Upstreams {
		ns = append(ns, u.Name)
	}
	return ns
}
