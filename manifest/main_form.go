package manifest

import (
	"cmp"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mothership-go/mothership/internal/suggest"
)

// Defaults that the crate README leaves open, chosen here and documented in
// the README.
const (
	defaultHealthInterval = 10 * time.Second
	defaultHealthTimeout  = 5 * time.Second
	defaultHealthRetries  = 3
	defaultBootTimeout    = 60 * time.Second
	defaultBayThreads     = 3
	defaultBayRequest     = 30 * time.Second
	defaultUplinkTimeout  = 5 * time.Second
	defaultCORSTTL        = 3600 * time.Second
	defaultCORSEntries    = 10000
	defaultLockName       = "mothership"
	defaultDrainTimeout   = 10 * time.Second
	defaultHoldOnRestart  = 5 * time.Second
	defaultHoldQueue      = 256
)

// templates are the `[base.*]` tables, read once so that their own mistakes
// are reported once and not again for every ship that inherits them.
type templates struct {
	ship   *Ship
	bay    *Bay
	module *Module
}

func readMain(root *table, m *Manifest) {
	m.Dialect = DialectMain
	tmpl := readBase(root)
	if ms := root.sub("mothership"); ms != nil {
		readMothership(ms, m)
	}
	readBlogAliases(root, m, tmpl)
	if fleet := root.sub("fleet"); fleet != nil {
		for _, group := range sortedKeys(fleet) {
			for _, t := range fleet.tables(group) {
				m.Ships = append(m.Ships, readShip(t, group, tmpl.ship))
			}
		}
		fleet.finish()
	}
	if v, ok := root.m["bays"]; ok && !isArray(v) { // the blog's [[bays]] is an alias
		readBayTypes(root, m, tmpl.bay)
	}
	for _, t := range root.tables("modules") {
		m.Modules = append(m.Modules, readModule(t, "wasm", tmpl.module))
	}
	root.finish()
	sortByPos(m)
	defaultBinds(m)
}

func readBayTypes(root *table, m *Manifest, tmpl *Bay) {
	bays := root.sub("bays")
	if bays == nil {
		return
	}
	for _, typ := range sortedKeys(bays) {
		if typ != "websocket" && typ != "http" {
			bays.get(typ)
			root.r.errorf(bays.key(typ), "unknown bay type; want [[bays.websocket]] or [[bays.http]]")
			continue
		}
		for _, t := range bays.tables(typ) {
			m.Bays = append(m.Bays, readBay(t, typ, tmpl))
		}
	}
	bays.finish()
}

// sortedKeys returns a table's keys in the order they are written, so that
// groups read in file order.
func sortedKeys(t *table) []string {
	keys := slices.Collect(maps.Keys(t.m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.r.pos.of(t.key(a)).Offset, t.r.pos.of(t.key(b)).Offset), cmp.Compare(a, b))
	})
	return keys
}

func sortByPos(m *Manifest) {
	slices.SortStableFunc(m.Ships, func(a, b *Ship) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
	slices.SortStableFunc(m.Bays, func(a, b *Bay) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
}

func readBase(root *table) templates {
	tmpl := templates{
		ship:   &Ship{Critical: true, BootTimeout: defaultBootTimeout, HoldOnRestart: defaultHoldOnRestart, HoldQueue: defaultHoldQueue},
		bay:    &Bay{Critical: true, Threads: defaultBayThreads, RequestTimeout: defaultBayRequest, BootTimeout: defaultBootTimeout},
		module: &Module{Phase: "request", ABI: ABIMothership, Timeout: defaultModuleTimeout, MemoryLimit: defaultModuleMemory, OnError: OnErrorBlock},
	}
	base := root.sub("base")
	if base == nil {
		return tmpl
	}
	if t := base.sub("ship"); t != nil {
		tmpl.ship = readShipFields(t, "", tmpl.ship, false)
	}
	if t := base.sub("bay"); t != nil {
		tmpl.bay = readBayFields(t, "", tmpl.bay, false)
	}
	if t := base.sub("module"); t != nil {
		tmpl.module = readModuleFields(t, "wasm", tmpl.module, false)
	}
	base.finish()
	return tmpl
}

// readProcess reads the fields every process has. A template supplies the
// value of each key the table leaves out; env tables merge, the table's
// entries winning.
func readProcess(t *table, tmpl Process, named bool) Process {
	p := Process{Pos: t.r.pos.of(t.path)}
	if named {
		p.Name = t.str("name")
		if p.Name == "" && !t.has("name") {
			t.r.errorf(t.path, "missing name")
		}
	}
	p.Command = cmp.Or(t.str("command"), tmpl.Command)
	p.Args = tmpl.Args
	if t.has("args") {
		p.Args = t.strs("args")
	}
	p.Cwd = cmp.Or(t.str("cwd"), tmpl.Cwd)
	p.Env = mergeEnv(tmpl.Env, t.envTable("env"))
	p.DependsOn = tmpl.DependsOn
	if t.has("depends_on") {
		p.DependsOn = t.strs("depends_on")
	}
	if named && p.Command == "" {
		t.r.errorf(t.path, "missing command")
	}
	if p.Args == nil && strings.ContainsAny(p.Command, " \t\"'") {
		words, err := ShellSplit(p.Command)
		switch {
		case err != nil:
			t.r.errorf(t.key("command"), "%v", err)
		case len(words) == 0:
			t.r.errorf(t.key("command"), "empty command")
		default:
			p.Command, p.Args = words[0], words[1:]
		}
	}
	return p
}

func mergeEnv(base, own map[string]string) map[string]string {
	if base == nil && own == nil {
		return nil
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, own)
	return out
}

func readShip(t *table, group string, tmpl *Ship) *Ship {
	return readShipFields(t, group, tmpl, true)
}

func readShipFields(t *table, group string, tmpl *Ship, named bool) *Ship {
	s := &Ship{Group: group}
	s.Process = readProcess(t, tmpl.Process, named)
	if v, ok := t.get("bind"); ok {
		s.Bind = readShipBind(t, v)
	} else if tmpl.Bind != nil {
		b := *tmpl.Bind
		s.Bind = &b
	}
	s.Healthcheck = tmpl.Healthcheck
	if v, ok := t.get("healthcheck"); ok {
		s.Healthcheck = readHealthcheck(t, "healthcheck", v)
	}
	if named {
		s.Routes = readRoutes(t, "routes", Target{Kind: TargetShip, Name: s.Name})
	}
	s.Critical = t.boolean("critical", tmpl.Critical)
	s.Oneshot = t.boolean("oneshot", tmpl.Oneshot)
	s.Tags = append(slices.Clone(tmpl.Tags), t.strs("tags")...)
	s.BootTimeout = t.duration("boot_timeout", tmpl.BootTimeout)
	readHold(t, s, tmpl)
	s.Protocol = cmp.Or(t.str("protocol"), tmpl.Protocol, UpstreamHTTP)
	switch s.Protocol {
	case UpstreamHTTP:
	case UpstreamH2C:
		if s.Healthcheck != nil {
			k := "protocol" // the healthcheck came from a base template
			if t.has("healthcheck") {
				k = "healthcheck"
			}
			t.r.errorf(t.key(k), "an h2c ship takes no healthcheck: the probe speaks HTTP/1.1, which an HTTP/2-only server (gRPC) refuses; without one the ship is ready once its bind accepts connections")
		}
	default:
		t.r.errorf(t.key("protocol"), "unknown protocol %q; want \"http\" or \"h2c\"", s.Protocol)
	}
	t.finish()
	return s
}

// readHTTP2 reads a bind's `http2` (TLS binds offer HTTP/2 unless it is
// false) and `h2c` (plain binds take HTTP/2 with prior knowledge).
func readHTTP2(bt *table, b *Bind) {
	b.NoHTTP2 = !bt.boolean("http2", true)
	b.H2C = bt.boolean("h2c", false)
	if b.H2C && bt.has("tls") {
		bt.r.errorf(bt.key("h2c"), "h2c is HTTP/2 without TLS; a TLS bind offers HTTP/2 by ALPN (http2 = true, the default)")
	}
}

// readShipBind reads a ship's own address; an unset variable in it is
// reported once, by the expansion, not again as a bad address.
func readShipBind(t *table, v any) *Addr {
	str, isStr := v.(string)
	if !isStr {
		t.typeErr("bind", "an address string", v)
		return nil
	}
	str, ok := t.r.expand(t.key("bind"), str)
	if !ok {
		return nil
	}
	a, err := ParseAddr(str)
	if err != nil {
		t.r.errorf(t.key("bind"), "%v", err)
		return nil
	}
	return &a
}

// readHealthcheck reads `healthcheck = "/health"` or the blog's
// `healthcheck = { path = "/health", interval = 30 }`.
func readHealthcheck(t *table, k string, v any) *Healthcheck {
	h := &Healthcheck{Interval: defaultHealthInterval, Timeout: defaultHealthTimeout, Retries: defaultHealthRetries}
	switch x := v.(type) {
	case string:
		h.Path = x
	case map[string]any:
		ht := t.r.table(t.key(k), x)
		h.Path = ht.str("path")
		h.Interval = ht.duration("interval", h.Interval)
		h.Timeout = ht.duration("timeout", h.Timeout)
		h.Retries = int(ht.integer("retries", int64(h.Retries), 1, 100))
		ht.finish()
	default:
		t.typeErr(k, `a path ("/health") or a table { path, interval, timeout, retries }`, v)
		return nil
	}
	if !strings.HasPrefix(h.Path, "/") {
		t.r.errorf(t.key(k), "health check path %q must start with /", h.Path)
	}
	if h.Interval <= 0 {
		t.r.errorf(t.key(k), "interval must be more than zero")
	}
	return h
}

func readBay(t *table, typ string, base *Bay) *Bay {
	return readBayFields(t, typ, base, true)
}

func readBayFields(t *table, typ string, base *Bay, named bool) *Bay {
	b := &Bay{Type: typ}
	b.Process = readProcess(t, base.Process, named)
	if named {
		b.Routes = readRoutes(t, "routes", Target{Kind: TargetBay, Name: b.Name})
	}
	b.Config = base.Config
	if t.has("config") {
		b.Config = t.rawTable("config")
	}
	b.Critical = t.boolean("critical", base.Critical)
	b.Tags = append(slices.Clone(base.Tags), t.strs("tags")...)
	b.Workers = base.Workers
	if v, ok := t.get("workers"); ok {
		switch x := v.(type) {
		case string:
			if x != "auto" {
				t.r.errorf(t.key("workers"), "want a number of workers or \"auto\", got %q", x)
			}
			b.Workers = -1
		default:
			b.Workers = int(t.integer("workers", 0, 0, 1024))
		}
	}
	b.Threads = int(t.integer("threads", int64(base.Threads), 1, 1024))
	b.RequestTimeout = t.duration("request_timeout", base.RequestTimeout)
	b.BootTimeout = t.duration("boot_timeout", base.BootTimeout)
	t.finish()
	return b
}

func readModule(t *table, pathKey string, tmpl *Module) *Module {
	return readModuleFields(t, pathKey, tmpl, true)
}

// readModuleFields reads a `[[modules]]` table, or the blog's `[[plugins]]`
// whose file key is `path` instead of `wasm`.
func readModuleFields(t *table, pathKey string, tmpl *Module, named bool) *Module {
	md := &Module{Pos: t.r.pos.of(t.path)}
	if named {
		md.Name = t.str("name")
		if md.Name == "" {
			t.r.errorf(t.path, "missing name")
		}
		md.Wasm = t.str(pathKey)
		if md.Wasm == "" {
			t.r.errorf(t.path, "missing %s (the .wasm file)", pathKey)
		}
		md.Routes = t.strs("routes")
	}
	md.Phase = cmp.Or(t.str("phase"), tmpl.Phase)
	if md.Phase != "request" && md.Phase != "response" {
		t.r.errorf(t.key("phase"), "want \"request\" or \"response\", got %q", md.Phase)
	}
	md.Config = tmpl.Config
	if t.has("config") {
		md.Config = t.rawTable("config")
	}
	md.Tags = append(slices.Clone(tmpl.Tags), t.strs("tags")...)
	readModuleLimits(t, md, tmpl)
	t.finish()
	return md
}

func readMothership(t *table, m *Manifest) {
	ms := &m.Mothership
	ms.MetricsPort = int(t.integer("metrics_port", 0, 1, 65535))
	ms.MetricsAddr = readMetricsAddr(t, ms.MetricsPort)
	ms.Compression = t.boolean("compression", false)
	if ms.Robots = t.str("robots"); ms.Robots != "" && ms.Robots != "llm" {
		t.r.errorf(t.key("robots"), "want \"llm\" (robots.txt disallowing the AI crawlers of the llm class), got %q", ms.Robots)
	}
	if b := t.sub("bind"); b != nil {
		for _, name := range sortedKeys(b) {
			v, _ := b.get(name)
			ms.Binds = append(ms.Binds, readBind(b, name, v))
		}
	}
	for _, st := range t.tables("static_dirs") {
		d := &StaticDir{Pos: st.r.pos.of(st.path), Path: st.str("path"), Prefix: cmp.Or(st.str("prefix"), "/"), Bind: st.str("bind"), ServeDotfiles: st.boolean("serve_dotfiles", false)}
		if d.Path == "" {
			st.r.errorf(st.path, "missing path (the directory to serve)")
		}
		if !strings.HasPrefix(d.Prefix, "/") {
			st.r.errorf(st.key("prefix"), "prefix %q must start with /", d.Prefix)
		}
		st.finish()
		ms.StaticDirs = append(ms.StaticDirs, d)
	}
	ms.CORSCache = readCORS(t)
	if rl := t.sub("rate_limiting"); rl != nil {
		ms.RateLimiting = readRateLimiting(rl)
	}
	for _, jt := range t.tables("prelaunch") {
		ms.Prelaunch = append(ms.Prelaunch, &Job{Process: readProcess(jt, Process{}, true)})
		jt.finish()
	}
	for _, ut := range t.tables("uplinks") {
		ms.Uplinks = append(ms.Uplinks, readUplink(ut))
	}
	if ft := t.sub("flagship"); ft != nil {
		ms.Flagship = readFlagship(ft, false)
	}
	ms.Env = t.envTable("env")
	for _, st := range t.tables("shields") {
		ms.Shields = append(ms.Shields, readShield(st))
	}
	checkShieldNames(t.r, ms.Shields)
	ms.TrustedProxies = readPrefixes(t, "trusted_proxies")
	ms.DrainTimeout = t.duration("drain_timeout", ms.DrainTimeout)
	ms.CPUs = int(t.integer("cpus", 0, 1, maxCPUs))
	if lt := t.sub("limits"); lt != nil {
		ms.Limits = readLimits(lt)
	}
	ms.ControlSocket = readControlSocket(t)
	ms.AccessLog = readAccessLog(t)
	for _, ut := range t.tables("upstreams") {
		ms.Upstreams = append(ms.Upstreams, readUpstream(ut))
	}
	t.finish()
}

// maxCPUs bounds `cpus`: far above any machine, low enough that a typo
// (an extra digit or two) is caught.
const maxCPUs = 4096

// readLimits reads `[mothership.limits]`.
func readLimits(t *table) Limits {
	l := Limits{
		HeaderTimeout:   t.duration("header_timeout", 0),
		IdleTimeout:     t.duration("idle_timeout", 0),
		BodyTimeout:     t.duration("body_timeout", 0),
		SendTimeout:     t.duration("send_timeout", 0),
		MaxTarget:       int(t.integer("max_target", 0, 64, 1<<20)),
		MaxHeaderBytes:  int(t.integer("max_header_bytes", 0, 1024, 1<<24)),
		MaxHeaderFields: int(t.integer("max_header_fields", 0, 8, 10000)),
		MaxConnections:  int(t.integer("max_connections", 0, 1, 1<<24)),
		// A low cap per client breaks browsers behind one NAT address.
		MaxConnectionsPerClient: int(t.integer("max_connections_per_client", 0, 1, 1<<24)),
	}
	if v, ok := t.get("request_buffer"); ok {
		if b, isBool := v.(bool); isBool {
			if !b {
				l.RequestBuffer = -1
			}
		} else {
			l.RequestBuffer = int(t.integer("request_buffer", 0, 0, 1<<30))
		}
	}
	t.finish()
	return l
}

// readPrefixes reads addresses and CIDR prefixes ("10.0.0.0/8", "127.0.0.1").
func readPrefixes(t *table, k string) []netip.Prefix {
	var out []netip.Prefix
	for i, s := range t.strs(k) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				t.r.errorf(t.key(k)+"["+strconv.Itoa(i)+"]", "%q is not an IP address or CIDR prefix", s)
				continue
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

// readBind reads `http = "0.0.0.0:80"` or `https = { addr = "…", proxy_protocol = true, tls = … }`.
func readBind(parent *table, name string, v any) *Bind {
	b := &Bind{Name: name, Pos: parent.r.pos.of(parent.key(name))}
	addr, ok := "", true
	switch x := v.(type) {
	case string:
		addr, ok = parent.r.expand(parent.key(name), x)
	case map[string]any:
		bt := parent.r.table(parent.key(name), x)
		addr, ok = bt.expanded("addr")
		if !bt.has("addr") {
			parent.r.errorf(bt.path, "missing addr")
		}
		b.ProxyProtocol = readProxyProtocol(bt)
		b.Rules = readRequestRules(bt)
		if v, ok := bt.get("tls"); ok {
			b.TLS = readTLS(bt, v)
		}
		readHTTP2(bt, b)
		readHTTPSPolicy(bt, b)
		bt.finish()
	default:
		parent.typeErr(name, `an address ("0.0.0.0:80") or a table { addr, proxy_protocol, tls, http2, h2c, redirect_https, hsts, max_body_size, max_header_count, underscores_in_headers }`, v)
		return b
	}
	if !isName(name) {
		parent.r.errorf(parent.key(name), "bind name %q: use letters, digits, '-' and '_'", name)
	}
	if !ok {
		return b
	}
	a, err := ParseAddr(addr)
	if err != nil {
		parent.r.errorf(parent.key(name), "%v", err)
	}
	b.Addr = a
	return b
}

func readCORS(t *table) CORSCache {
	c := defaultMothership().CORSCache
	v, ok := t.get("cors_cache")
	if !ok {
		return c
	}
	switch x := v.(type) {
	case bool:
		c.Enabled = x
	case map[string]any:
		ct := t.r.table(t.key("cors_cache"), x)
		c.Enabled = ct.boolean("enabled", true)
		c.DefaultTTL = ct.duration("default_ttl", c.DefaultTTL)
		c.MaxEntries = int(ct.integer("max_entries", int64(c.MaxEntries), 1, 1<<30))
		ct.finish()
	default:
		t.typeErr("cors_cache", "true, false or a table { enabled, default_ttl, max_entries }", v)
	}
	return c
}

func readUplink(t *table) *Uplink {
	u := &Uplink{Pos: t.r.pos.of(t.path), Name: t.str("name"), Timeout: t.duration("timeout", defaultUplinkTimeout)}
	var ok bool
	u.URL, ok = t.expanded("url")
	if !t.has("url") {
		t.r.errorf(t.path, "missing url")
	} else if err := checkUplinkURL(u.URL); ok && err != nil {
		t.r.errorf(t.key("url"), "%v", err)
	}
	if u.Name == "" {
		u.Name = uplinkDefaultName(u.URL)
	}
	t.finish()
	return u
}

// defaultMothership holds the [mothership] defaults, which apply when the
// table is absent too.
func defaultMothership() Mothership {
	return Mothership{Flagship: defaultFlagship(), CORSCache: CORSCache{DefaultTTL: defaultCORSTTL, MaxEntries: defaultCORSEntries}, DrainTimeout: defaultDrainTimeout}
}

func defaultFlagship() Flagship {
	return Flagship{Election: ElectionStatic, LockName: defaultLockName, PrelaunchTimeout: 300 * time.Second, ElectionTimeout: 30 * time.Second}
}

// readFlagship reads `[mothership.flagship]`, or with blog set, the blog's
// `[flagship] enabled, database_url, lock_name`, which means a postgres election.
func readFlagship(t *table, blog bool) Flagship {
	f := defaultFlagship()
	f.Enabled = t.boolean("enabled", false)
	f.LockName = cmp.Or(t.str("lock_name"), f.LockName)
	urlOK := true
	if blog {
		f.Election = ElectionPostgres
		f.ElectionURL, urlOK = t.expanded("database_url")
	} else {
		f.Election = cmp.Or(t.str("election"), f.Election)
		f.ElectionURL, urlOK = t.expanded("election_url")
		if v, ok := t.get("static_flagship"); ok {
			readStaticFlagship(t, v, &f)
		}
		f.PrelaunchTimeout = t.duration("prelaunch_timeout", f.PrelaunchTimeout)
		f.ElectionTimeout = t.duration("election_timeout", f.ElectionTimeout)
	}
	switch f.Election {
	case ElectionStatic:
		if f.Enabled && f.StaticFlagship == "" && f.StaticCommand == "" {
			t.r.errorf(t.path, "a static election needs static_flagship (\"$MS_FLAGSHIP\" or { command, equals })")
		}
	case ElectionPostgres:
		if f.Enabled && f.ElectionURL == "" && urlOK {
			t.r.errorf(t.path, "a postgres election needs election_url")
		}
	default:
		t.r.errorf(t.key("election"), "unknown election %q; want \"static\" or \"postgres\"", f.Election)
	}
	t.finish()
	return f
}

// readStaticFlagship keeps the value unexpanded: escorts usually leave
// MS_FLAGSHIP unset, which means "not the flagship", not an error. It only
// warns, so that a typo in the name shows up at clearance.
func readStaticFlagship(t *table, v any, f *Flagship) {
	path := t.key("static_flagship")
	switch x := v.(type) {
	case string:
		f.StaticFlagship = x
		if _, missing, err := ExpandVars(x, t.r.env); err != nil {
			t.r.errorf(path, "%v", err)
		} else {
			for _, name := range missing {
				t.r.warnf(path, "$%s is not set here; this mothership would be an escort", name)
			}
		}
	case map[string]any:
		st := t.r.table(path, x)
		f.StaticCommand = st.str("command")
		f.StaticEquals = st.str("equals")
		if f.StaticCommand == "" {
			t.r.errorf(path, "missing command")
		}
		st.finish()
	default:
		t.typeErr("static_flagship", `"$VAR" or a table { command, equals }`, v)
	}
}

func readUpstream(t *table) *Upstream {
	u := &Upstream{Pos: t.r.pos.of(t.path), Name: t.str("name"), Strategy: cmp.Or(t.str("strategy"), "round_robin")}
	if u.Name == "" {
		t.r.errorf(t.path, "missing name")
	}
	for i, s := range t.strs("binds") {
		s, ok := t.r.expand(t.key("binds")+"["+strconv.Itoa(i)+"]", s)
		if !ok {
			continue
		}
		a, err := ParseAddr(s)
		if err != nil {
			t.r.errorf(t.key("binds")+"["+strconv.Itoa(i)+"]", "%v", err)
			continue
		}
		u.Addrs = append(u.Addrs, a)
	}
	// Entries that are there but wrong are reported on their own.
	if arr, isArr := t.m["binds"].([]any); !t.has("binds") || isArr && len(arr) == 0 {
		t.r.errorf(t.path, "an upstream needs at least one address in binds")
	}
	checkStrategy(t, "strategy", u.Strategy)
	if ht := t.sub("health"); ht != nil {
		u.Health = readUpstreamHealth(ht)
	}
	readUpstreamProtocol(t, u)
	u.Routes = readRoutes(t, "routes", Target{Kind: TargetUpstream, Name: u.Name})
	t.finish()
	return u
}

// readUpstreamProtocol reads `protocol`; a docking upstream is a bay's
// Unix socket, up while its links are docked, so it takes no HTTP health
// check.
func readUpstreamProtocol(t *table, u *Upstream) {
	u.Protocol = cmp.Or(t.str("protocol"), UpstreamHTTP)
	switch u.Protocol {
	case UpstreamHTTP:
	case UpstreamH2C:
		if u.Health != nil {
			t.r.errorf(t.key("health"), "an h2c upstream takes no health check: the probe speaks HTTP/1.1, which an HTTP/2-only server (gRPC) refuses")
		}
	case UpstreamDocking:
		if len(u.Addrs) > 1 {
			t.r.errorf(t.key("binds"), "a docking upstream is one bay's socket; declare an upstream for each bay")
		}
		for i, a := range u.Addrs {
			if a.Network != "unix" {
				t.r.errorf(t.key("binds")+"["+strconv.Itoa(i)+"]", "a docking upstream connects to a bay's Unix socket (unix:///path/to/bay.sock), not %s", a)
			}
		}
		if u.Health != nil {
			t.r.errorf(t.key("health"), "a docking upstream takes no health check: it is up while its links are docked")
		}
	default:
		t.r.errorf(t.key("protocol"), "unknown protocol %q; want \"http\", \"h2c\" or \"docking\"", u.Protocol)
	}
}

// strategies are the pool balancing strategies WarpDrive names.
var strategies = []string{"round_robin", "least_conn", "random", "ip_hash"}

func checkStrategy(t *table, k, s string) {
	if !slices.Contains(strategies, s) {
		if sg := suggest.Closest(s, strategies); sg != "" {
			t.r.errorf(t.key(k), "unknown strategy %q (did you mean %q?)", s, sg)
		} else {
			t.r.errorf(t.key(k), "unknown strategy %q; want one of %s", s, strings.Join(strategies, ", "))
		}
	}
}

// readUpstreamHealth reads a pool's health table; WarpDrive spells its
// durations `interval_secs`, the main form `interval`.
func readUpstreamHealth(t *table) *UpstreamHealth {
	h := &UpstreamHealth{Healthcheck: Healthcheck{Interval: defaultHealthInterval, Timeout: defaultHealthTimeout, Retries: defaultHealthRetries}, UnhealthyThreshold: 3, HealthyThreshold: 2}
	h.Path = t.str("path")
	if !strings.HasPrefix(h.Path, "/") {
		t.r.errorf(t.key("path"), "health check path %q must start with /", h.Path)
	}
	for _, k := range []string{"interval", "interval_secs"} {
		if v, ok := t.get(k); ok {
			h.Interval = positive(t, k, t.durationValue(k, v, h.Interval))
		}
	}
	for _, k := range []string{"timeout", "timeout_secs"} {
		if v, ok := t.get(k); ok {
			h.Timeout = positive(t, k, t.durationValue(k, v, h.Timeout))
		}
	}
	h.UnhealthyThreshold = int(t.integer("unhealthy_threshold", int64(h.UnhealthyThreshold), 1, 100))
	h.HealthyThreshold = int(t.integer("healthy_threshold", int64(h.HealthyThreshold), 1, 100))
	h.Retries = h.UnhealthyThreshold
	t.finish()
	return h
}

// positive reports a health check duration of 0, which would check
// without pause (interval) or never wait (timeout).
func positive(t *table, k string, d time.Duration) time.Duration {
	if d == 0 {
		t.r.errorf(t.key(k), "a health check's %s must be more than 0", k)
	}
	return d
}

// defaultBinds gives routes without a bind the first declared bind, and a
// ship with routes but no address a free port at launch.
func defaultBinds(m *Manifest) {
	first := ""
	if len(m.Mothership.Binds) > 0 {
		first = m.Mothership.Binds[0].Name
	}
	for _, r := range m.Routes() {
		if r.Bind == "" {
			r.Bind = first
		}
	}
	for _, s := range m.Ships {
		if s.Bind != nil {
			continue
		}
		if port, ok := s.Env["PORT"]; ok {
			if a, err := ParseAddr(port); err == nil {
				s.Bind = &a
				continue
			}
		}
		s.AutoPort = len(s.Routes) > 0 || s.Healthcheck != nil
	}
}

// Routes returns every route of the manifest in declaration order.
func (m *Manifest) Routes() []*Route {
	var rs []*Route
	for _, s := range m.Ships {
		rs = append(rs, s.Routes...)
	}
	for _, b := range m.Bays {
		rs = append(rs, b.Routes...)
	}
	for _, u := range m.Mothership.Upstreams {
		rs = append(rs, u.Routes...)
	}
	slices.SortStableFunc(rs, func(a, b *Route) int { return cmp.Compare(a.Pos.Offset, b.Pos.Offset) })
	return rs
}
