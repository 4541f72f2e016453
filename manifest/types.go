package manifest

import (
	"net/netip"
	"runtime"
	"time"
)

// Dialect names the form a manifest was written in.
type Dialect string

// The dialects Load understands.
const (
	// DialectMain is the crate README's form: `[mothership]`, `[[fleet.*]]`, `[[bays.*]]`.
	DialectMain Dialect = "main"
	// DialectBlog is the blog's older form: `[config]`, `[[ships]]`, `[[bays]]`, `[[plugins]]`.
	DialectBlog Dialect = "blog"
	// DialectWarpDrive is a WarpDrive routing file: `[server]`, `[upstreams.*]`, `[[routes]]`.
	DialectWarpDrive Dialect = "warpdrive"
)

// Pos locates a declaration in the manifest file.
type Pos struct {
	// Line is 1-based.
	Line int
	// Offset is the byte offset of the declaration; routes use it as their
	// declaration order, since tables of different groups interleave in a file.
	Offset int
	// Key is the key path of the declaration.
	Key string
}

// Manifest is a loaded ship manifest: every default applied, every alias
// resolved, every `$VAR` expanded.
type Manifest struct {
	// File is the path the manifest was read from.
	File string
	// Dir is the absolute directory of File. Relative paths in the manifest
	// (commands, cwd, static dirs, WASM files) are relative to it, so that a
	// manifest means the same wherever mothership is started from.
	Dir string
	// Dialect is the form it was written in.
	Dialect Dialect
	// Mothership holds the supervisor's own settings.
	Mothership Mothership
	// Ships are the fleet's processes, in declaration order across groups.
	Ships []*Ship
	// Bays are the processes that speak the docking protocol, in declaration order.
	Bays []*Bay
	// Modules are WASM payloads, in declaration order.
	Modules []*Module
	// Warnings are findings that do not stop the manifest from passing clearance.
	Warnings Problems
}

// Mothership is the `[mothership]` table.
type Mothership struct {
	// MetricsPort serves `/metrics` and `/health` on 127.0.0.1 when non-zero.
	MetricsPort int
	// MetricsAddr is where `/metrics` and the health checks are served:
	// `metrics_addr`, or 127.0.0.1 on MetricsPort; Network is "" when
	// neither is set.
	MetricsAddr Addr
	// Compression turns on br, zstd, gzip and deflate responses for every
	// route.
	Compression bool
	// Robots, when set, answers /robots.txt on every bind from a list:
	// "llm" disallows every AI crawler of the list behind the `llm` UA
	// class; "" leaves /robots.txt to the routes.
	Robots string
	// Binds are the named listeners, in declaration order; the first one is
	// where routes without a `bind` go.
	Binds []*Bind
	// StaticDirs are directories served before routing, longest prefix first.
	StaticDirs []*StaticDir
	// CORSCache caches backend answers to CORS preflights.
	CORSCache CORSCache
	// RateLimiting limits requests globally and per client IP.
	RateLimiting RateLimiting
	// Prelaunch jobs run to completion before any ship or bay starts.
	Prelaunch []*Job
	// Uplinks are external services that must be reachable before launch.
	Uplinks []*Uplink
	// Flagship elects one mothership among several servers to run prelaunch jobs.
	Flagship Flagship
	// Env is passed to every ship, bay and prelaunch job, under their own env.
	Env map[string]string
	// Upstreams are pools of addresses that routes can target.
	Upstreams []*Upstream
	// Shields are rules that block or redirect requests by JA4H fingerprint
	// or User-Agent class before they reach a ship.
	Shields []*Shield
	// TrustedProxies are the peers whose X-Forwarded-* headers are believed;
	// from anyone else those headers are replaced.
	TrustedProxies []netip.Prefix
	// DrainTimeout is how long a graceful shutdown waits for in-flight
	// requests, and then for each process between SIGTERM and SIGKILL.
	DrainTimeout time.Duration
	// Limits bound what one client connection may cost
	// (`[mothership.limits]`); zero fields take the defaults.
	Limits Limits
	// AccessLog is `access_log`: where each request's line goes (stdout by
	// default), or false for none.
	AccessLog AccessLog
	// CPUs is `cpus`: how many CPUs the mothership's own work (the proxy,
	// the supervisor) runs on at once, Go's GOMAXPROCS; 0 leaves the Go
	// runtime's choice (every CPU the process may use, or the GOMAXPROCS
	// environment variable). Ships are processes of their own and keep
	// theirs.
	CPUs int
	// ControlSocket is the Unix socket that `status`, `restart` and `tui`
	// talk to the running mothership over, relative to the manifest's
	// directory; "" takes the default (see ControlSocketPath).
	ControlSocket string
}

// Limits are `[mothership.limits]`: the bounds of every client connection
// and request, as nginx's client_* settings. A zero field takes the
// engine's default (in parentheses).
type Limits struct {
	// HeaderTimeout is how long a request head may take once begun (10s).
	HeaderTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request (75s).
	IdleTimeout time.Duration
	// BodyTimeout bounds the wait between two reads of a body (60s).
	BodyTimeout time.Duration
	// SendTimeout bounds one write to a client (60s).
	SendTimeout time.Duration
	// MaxTarget is the longest request target, in bytes; longer gets 414
	// (8192).
	MaxTarget int
	// MaxHeaderBytes is the largest request head; larger gets 431 (65536).
	MaxHeaderBytes int
	// MaxHeaderFields is the most fields in a head; more gets 431 (100).
	MaxHeaderFields int
	// RequestBuffer is how much of a request body is read before an
	// upstream connection is taken, so that a slow client holds none
	// (65536); -1 (`request_buffer = false`) streams every body.
	RequestBuffer int
	// MaxConnections is the most connections a bind holds at once; past
	// it the bind stops accepting, and new ones wait in the kernel's
	// backlog (10000).
	MaxConnections int
	// MaxConnectionsPerClient is the most connections one client address
	// holds on a bind at once; more are answered 503 and closed (256).
	// Trusted proxies are not limited: their connections carry many
	// clients.
	MaxConnectionsPerClient int
}

// Bind is one named listener of the mothership.
type Bind struct {
	// Name is the key in `[mothership.bind]`, such as `http`.
	Name string
	// Addr is where it listens.
	Addr Addr
	// ProxyProtocol is whether, and from whom, PROXY v1 and v2 headers are
	// accepted (plain connections always are).
	ProxyProtocol ProxyProtocol
	// Rules are what a client may send through the bind; its routes may
	// override them.
	Rules RequestRules
	// TLS, when set, makes the bind serve HTTPS; nil serves plain HTTP.
	TLS *TLS
	// NoHTTP2 is `http2 = false`: a TLS bind then offers only HTTP/1.1
	// by ALPN, not h2 first. It means nothing on a plain bind.
	NoHTTP2 bool
	// H2C is `h2c`: a plain bind also takes HTTP/2 with prior knowledge
	// (a client that opens with the HTTP/2 preface). Off by default.
	H2C bool
	// RedirectHTTPS is `redirect_https` on a plain bind: the name of the
	// TLS bind that every request is sent to with 308 Permanent Redirect
	// (`true` names the manifest's only TLS bind); "" serves the routes.
	// The CA's HTTP-01 challenges are still answered.
	RedirectHTTPS string
	// redirectOnly is `redirect_https = true`, until checkRedirects finds
	// the TLS bind it means.
	redirectOnly bool
	// HSTS is `hsts` on a TLS bind: the Strict-Transport-Security value
	// added to every answer (`true` is DefaultHSTS), replacing one a ship
	// sent; "" adds none.
	HSTS string
	// Pos is where it is declared.
	Pos Pos
}

// TLS is a bind's TLS termination: its certificates, of which the one a
// client's SNI name fits is served (the first when none fits), either
// files or obtained from a CA by ACME.
type TLS struct {
	// Certs are the certificate files, in declaration order; none when
	// ACME is set.
	Certs []CertFiles
	// ACME, when set, has the bind's certificates obtained and renewed
	// automatically; nil serves the files of Certs.
	ACME *ACME
	// Pos is where `tls` is declared.
	Pos Pos
}

// CertFiles are one certificate chain and its private key, PEM files whose
// relative paths are relative to the manifest's directory.
type CertFiles struct {
	// Cert is the certificate chain, leaf first.
	Cert string
	// Key is the leaf's private key.
	Key string
	// Pos is where the pair is declared.
	Pos Pos
}

// Process is what ships, bays and prelaunch jobs have in common: a command to
// run and how to run it.
type Process struct {
	// Name is unique among its kind, ASCII, without spaces.
	Name string
	// Command is the program to execute; no shell is involved.
	Command string
	// Args are its arguments. A Command with spaces and no Args is split as a
	// shell would split it, quotes respected.
	Args []string
	// Cwd is the working directory, relative to the manifest's directory;
	// empty means that directory.
	Cwd string
	// Env is added to the inherited environment and `[mothership.env]`.
	Env map[string]string
	// DependsOn names what must be ready before this starts.
	DependsOn []string
	// Pos is where it is declared.
	Pos Pos
}

// Ship is a process that binds its own port (or none, for workers) and that
// the mothership proxies to.
type Ship struct {
	Process
	// Group is the `<group>` of `[[fleet.<group>]]`.
	Group string
	// Bind is the ship's own address; nil when it has none.
	Bind *Addr
	// AutoPort is set when the ship has routes but no bind: it gets a free
	// loopback port at launch, passed as PORT.
	AutoPort bool
	// Healthcheck probes the ship over HTTP; nil when it has none.
	Healthcheck *Healthcheck
	// Routes send traffic from the mothership's binds to this ship.
	Routes []*Route
	// Critical ships take the whole fleet down when their circuit opens.
	Critical bool
	// Oneshot ships run once; exiting 0 is success, not a crash.
	Oneshot bool
	// Tags select ships with --only and --except.
	Tags []string
	// Protocol is `protocol`, how the mothership talks to the ship:
	// UpstreamHTTP (HTTP/1.1, the default) or UpstreamH2C (HTTP/2 without
	// TLS, as gRPC servers speak it).
	Protocol string
	// BootTimeout bounds how long the ship may take to become ready.
	BootTimeout time.Duration
	// HoldOnRestart is how long a request routed to the ship waits while
	// the ship boots or restarts (after a crash, a failed health check or
	// `mothership restart`) before it is answered 503; 0 holds nothing.
	// `hold_on_restart`, a duration or false; default 5s.
	HoldOnRestart time.Duration
	// HoldQueue bounds how many requests wait at once; one more is
	// answered 503 at once. `hold_queue`; default 256.
	HoldQueue int
}

// Healthcheck is an HTTP probe of a ship.
type Healthcheck struct {
	// Path is requested with GET; a 2xx or 3xx answer is healthy.
	Path string
	// Interval is the time between probes once the ship is ready.
	Interval time.Duration
	// Timeout bounds one probe.
	Timeout time.Duration
	// Retries is how many failed probes in a row make the ship unhealthy.
	Retries int
}

// Bay is a process that speaks the docking protocol over a Unix socket.
type Bay struct {
	Process
	// Type is `websocket` or `http`, from `[[bays.<type>]]`.
	Type string
	// Routes send traffic from the mothership's binds to this bay.
	Routes []*Route
	// Config is passed to the bay in the Moored message.
	Config map[string]any
	// Critical bays take the whole fleet down when their circuit opens.
	Critical bool
	// Tags select bays with --only and --except.
	Tags []string
	// Workers is the number of forked workers (MS_BAY_WORKERS); 0 serves from
	// the master, -1 means "auto" (one per CPU).
	Workers int
	// Threads is the number of links each worker serves (MS_BAY_THREADS).
	Threads int
	// RequestTimeout bounds one request over a link.
	RequestTimeout time.Duration
	// BootTimeout bounds how long the bay may take to dock.
	BootTimeout time.Duration
}

// WorkerCount is the number of workers the bay forks: Workers, with
// "auto" as one per CPU of this machine.
func (b *Bay) WorkerCount() int {
	if b.Workers < 0 {
		return runtime.NumCPU()
	}
	return b.Workers
}

// Job is a prelaunch job.
type Job struct {
	Process
}

// TargetKind says what a route sends traffic to.
type TargetKind string

// The kinds of route targets.
const (
	// TargetShip is a ship, by name.
	TargetShip TargetKind = "ship"
	// TargetBay is a bay, by name.
	TargetBay TargetKind = "bay"
	// TargetUpstream is a `[[mothership.upstreams]]` pool, by name.
	TargetUpstream TargetKind = "upstream"
)

// Target is where a route sends its traffic.
type Target struct {
	// Kind is ship, bay or upstream.
	Kind TargetKind
	// Name is the ship's, bay's or upstream's name.
	Name string
}

// String formats the target as `kind name`.
func (t Target) String() string { return string(t.Kind) + " " + t.Name }

// Route sends requests that match all its matchers to its target. Routes are
// tried in declaration order across the whole manifest; the first that
// matches wins.
type Route struct {
	// Bind is the name of the mothership bind the route listens on.
	Bind string
	// Pattern is a regular expression over the path, anchored at both ends; a
	// trailing `/*` is a glob prefix instead.
	Pattern string
	// PathPrefix matches paths that start with it.
	PathPrefix string
	// PathExact matches exactly this path.
	PathExact string
	// PathRegex is a regular expression searched in the path, not anchored.
	PathRegex string
	// Host matches the Host header, exactly or as `*.suffix`.
	Host string
	// Methods, when set, are the only methods that match.
	Methods []string
	// Headers must all be present with exactly these values (an empty value
	// only requires the header to be present).
	Headers []Header
	// UAFilter is a User-Agent class or `~regex`.
	UAFilter string
	// StripPrefix is removed from the path before forwarding.
	StripPrefix string
	// StripMatched strips the route's literal path prefix (`strip_prefix = true`).
	StripMatched bool
	// Rewrite replaces the matched literal prefix before forwarding.
	Rewrite string
	// AddHeaders are set on the forwarded request.
	AddHeaders []Header
	// ReadTimeout bounds the wait for the target's response; 0 means the default.
	ReadTimeout time.Duration
	// ConnectTimeout bounds connecting to the target; 0 means the default.
	ConnectTimeout time.Duration
	// Description is shown by `chart`.
	Description string
	// Rules override the bind's RequestRules for this route.
	Rules RequestRules
	// Target is what the route forwards to.
	Target Target
	// Pos is where it is declared; Pos.Offset is its declaration order.
	Pos Pos
}

// Header is a header name and value.
type Header struct {
	// Name is the header name.
	Name string
	// Value is the header value.
	Value string
}

// Module is a WASM payload run on matching requests or responses.
type Module struct {
	// Name is unique among modules.
	Name string
	// Wasm is the path of the `.wasm` file.
	Wasm string
	// Routes are path patterns (as in Route.Pattern) the module applies to.
	Routes []string
	// Phase is `request` or `response`.
	Phase string
	// Config is passed to the module.
	Config map[string]any
	// ABI is the interface the module speaks: ABIMothership (the default)
	// or ABIHTTPWasm.
	ABI string
	// Timeout bounds each call into the module (default 50 ms).
	Timeout time.Duration
	// MemoryLimit bounds the module's linear memory, in bytes (default 16
	// MiB), rounded up to whole 64 KiB pages.
	MemoryLimit int64
	// OnError is what a request gets when a call traps, times out or makes
	// a malformed host call: OnErrorBlock (a 500) or OnErrorContinue.
	OnError string
	// Tags label the module.
	Tags []string
	// Pos is where it is declared.
	Pos Pos
}

// The values of Module.ABI and Module.OnError.
const (
	ABIMothership   = "mothership"
	ABIHTTPWasm     = "http-wasm"
	OnErrorBlock    = "block"
	OnErrorContinue = "continue"
)

// StaticDir is a directory served under a path prefix.
type StaticDir struct {
	// Path is the directory on disk.
	Path string
	// Prefix is the URL path prefix, `/` by default.
	Prefix string
	// Bind limits the directory to one bind; empty serves it on every bind.
	Bind string
	// ServeDotfiles serves files and directories whose name starts with
	// `.` (`.env`, `.git/`), which are refused by default; `.well-known/`
	// is always served.
	ServeDotfiles bool
	// Pos is where it is declared.
	Pos Pos
}

// CORSCache configures the CORS preflight cache.
type CORSCache struct {
	// Enabled turns the cache on.
	Enabled bool
	// DefaultTTL applies when the backend sends no Access-Control-Max-Age.
	DefaultTTL time.Duration
	// MaxEntries bounds the cache; the least recently used entry goes first.
	MaxEntries int
}

// RateLimiting configures request rate limits; zero means unlimited.
type RateLimiting struct {
	// GlobalRPS is the requests per second allowed across all clients.
	GlobalRPS float64
	// PerIPRPM is the requests per minute allowed from one client IP.
	PerIPRPM float64
	// Store is the Redis URL through which several motherships share
	// both limits; "" keeps them per server.
	Store string
	// SyncInterval is how often usage is synced with the store.
	SyncInterval time.Duration
	// Prefix starts every key kept in the store.
	Prefix string
}

// Uplink is an external service checked before launch.
type Uplink struct {
	// Name labels the uplink in logs.
	Name string
	// URL is where it is; its scheme picks the check.
	URL string
	// Timeout bounds the check.
	Timeout time.Duration
	// Pos is where it is declared.
	Pos Pos
}

// Election backends for the flagship.
const (
	// ElectionStatic decides by an environment variable or a command's output.
	ElectionStatic = "static"
	// ElectionPostgres decides by a PostgreSQL advisory lock.
	ElectionPostgres = "postgres"
)

// Flagship configures flagship election among several motherships.
type Flagship struct {
	// Enabled turns coordination on.
	Enabled bool
	// Election is ElectionStatic or ElectionPostgres.
	Election string
	// ElectionURL is the PostgreSQL URL for ElectionPostgres.
	ElectionURL string
	// LockName names the advisory lock; several apps may share a database.
	LockName string
	// StaticFlagship is a value that is truthy on the flagship ("true", "1",
	// "yes"), usually "$MS_FLAGSHIP"; kept unexpanded until election time.
	StaticFlagship string
	// StaticCommand, when set, is run and its trimmed output compared with StaticEquals.
	StaticCommand string
	// StaticEquals is the output that makes this mothership the flagship.
	StaticEquals string
	// PrelaunchTimeout is how long escorts wait for the flagship's prelaunch.
	PrelaunchTimeout time.Duration
	// ElectionTimeout is how long to try to acquire the lock.
	ElectionTimeout time.Duration
}

// Upstream is a pool of addresses that routes can target.
type Upstream struct {
	// Name is unique among upstreams.
	Name string
	// Addrs are the pool's members.
	Addrs []Addr
	// Strategy is round_robin, least_conn, random or ip_hash.
	Strategy string
	// Protocol is how the mothership talks to the members: UpstreamHTTP,
	// UpstreamH2C (HTTP/2 without TLS, gRPC), or UpstreamDocking for a bay
	// that runs on its own (its Unix socket).
	Protocol string
	// Health probes each member; nil when there is none.
	Health *UpstreamHealth
	// Routes send traffic to the pool.
	Routes []*Route
	// Pos is where it is declared.
	Pos Pos
}

// Upstream protocols.
const (
	// UpstreamHTTP forwards HTTP/1.1 to each member.
	UpstreamHTTP = "http"
	// UpstreamDocking speaks the docking protocol (v3, HTTP links) to a bay
	// that the mothership did not launch.
	UpstreamDocking = "docking"
	// UpstreamH2C forwards HTTP/2 without TLS (prior knowledge) to each
	// member, as gRPC servers speak it: streams multiplexed on shared
	// connections, trailers kept.
	UpstreamH2C = "h2c"
)

// UpstreamHealth is a pool's health probe with thresholds.
type UpstreamHealth struct {
	Healthcheck
	// UnhealthyThreshold failures in a row mark a member down.
	UnhealthyThreshold int
	// HealthyThreshold successes in a row mark a member up again.
	HealthyThreshold int
}

// Shield actions.
const (
	// ShieldBlock answers the request itself, 403 by default.
	ShieldBlock = "block"
	// ShieldRedirect sends the client elsewhere, 302 by default.
	ShieldRedirect = "redirect"
)

// Shield is a `[[mothership.shields]]` rule: a request that meets every
// condition it sets is blocked or redirected.
type Shield struct {
	// Name labels the rule in logs and metrics.
	Name string
	// JA4H is an exact JA4H fingerprint.
	JA4H string
	// JA4HPrefix matches fingerprints that start with it, such as
	// "ge11nn05" (a GET over HTTP/1.1 with no cookie, no referer, 5 headers).
	JA4HPrefix string
	// UAFilter is a User-Agent class or `~regex`, as on routes.
	UAFilter string
	// Bind limits the rule to one bind; empty applies it to every bind.
	Bind string
	// Action is ShieldBlock or ShieldRedirect.
	Action string
	// Status is the answer's status: 403 for block and 302 for redirect by default.
	Status int
	// Location is where a redirect sends the client.
	Location string
	// Rate, when set, lets the requests the rule matches through while
	// they are under it, per key (the fingerprint for a rule on one, else
	// the client address), and answers those above it; with a store it
	// holds for the deployment. The zero Rate is none.
	Rate Rate
	// Pos is where it is declared.
	Pos Pos
}

// Rate is at most Count requests per Per, as `rate = "60/min"` writes it.
type Rate struct {
	// Count is the requests allowed per Per, 1 to MaxSharedCount.
	Count int64
	// Per is time.Second, time.Minute or time.Hour.
	Per time.Duration
}
