package manifest_test

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

var update = flag.Bool("update", false, "rewrite testdata/seeds/*.golden from the loaded manifests")

// seedEnv is the environment every seed snippet is loaded with: the
// variables the seed documents reference, and nothing else.
var seedEnv = map[string]string{
	"DATABASE_URL": "postgres://db.internal:5432/app_production",
	"REDIS_URL":    "redis://cache.internal:6379/0",
	"MS_FLAGSHIP":  "true",
}

func seedLookup(name string) (string, bool) {
	v, ok := seedEnv[name]
	return v, ok
}

// seedFiles returns the snippet files of testdata/seeds, split into those
// that must load and those that must be refused.
func seedFiles(t *testing.T) (load, refused []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "seeds", "*.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/seeds/*.toml")
	}
	for _, f := range files {
		if strings.HasSuffix(f, "-refused.toml") {
			refused = append(refused, f)
		} else {
			load = append(load, f)
		}
	}
	return load, refused
}

// TestSeeds loads every snippet of the three seed documents and compares a
// summary of what it means with its golden file.
func TestSeeds(t *testing.T) {
	files, _ := seedFiles(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			m, err := manifest.Parse(file, data, seedLookup)
			if err != nil {
				t.Fatalf("%s: Parse reported errors:\n%v", name, err)
			}
			if m == nil {
				t.Fatalf("%s: Parse returned a nil manifest and no error", name)
			}
			got := summarize(m)
			golden := strings.TrimSuffix(file, ".toml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%s: %v (run go test ./manifest -run Seeds -update)", name, err)
			}
			if got != string(want) {
				t.Errorf("%s: summary differs from %s (run go test ./manifest -run Seeds -update to accept):\n%s", name, golden, lineDiff(string(want), got))
			}
		})
	}
}

// TestSeedsRefused checks the WarpDrive "Complete Real-World Example": the
// spec refuses its sections for features mothership lacks, one error per
// section, naming it; its route's require_auth is refused the same way.
// Nothing else in the file is an error: its [tls] domains get automatic
// certificates kept in acme_directory.
func TestSeedsRefused(t *testing.T) {
	const file = "testdata/seeds/warpdrive-complete-refused.toml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		line  int
		key   string
		words []string
	}
	wants := []want{
		{60, "routes[1].require_auth", []string{"authentication", "not support"}},
		{74, "cache", []string{"[cache]", "cache", "not support"}},
		{78, "postgres", []string{"[postgres]", "PostgreSQL", "not support"}},
		{82, "middleware", []string{"[middleware]", "middleware", "not support"}},
	}
	m, err := manifest.Parse(file, data, seedLookup)
	var probs manifest.Problems
	if !errors.As(err, &probs) {
		t.Fatalf("warpdrive-complete-refused: want Problems, got %v", err)
	}
	if m == nil {
		t.Fatal("warpdrive-complete-refused: nil manifest for sound TOML")
	}
	if len(probs) != len(wants) {
		t.Fatalf("warpdrive-complete-refused: want %d errors, got %d:\n%v", len(wants), len(probs), probs)
	}
	for i, w := range wants {
		p := probs[i]
		if p.File != file || p.Line != w.line || p.Key != w.key || p.Warning {
			t.Errorf("warpdrive-complete-refused: error %d: want %s:%d key %q, got %v", i, file, w.line, w.key, p)
		}
		for _, word := range w.words {
			if !strings.Contains(p.Message, word) {
				t.Errorf("warpdrive-complete-refused: error %d: message %q lacks %q", i, p.Message, word)
			}
		}
	}
	// The rest of the file is read: the sections that are supported mean
	// what they say, and what has no effect is a warning.
	if len(m.Mothership.Upstreams) != 3 || len(m.Ships) != 3 || len(m.Routes()) != 4 {
		t.Errorf("warpdrive-complete-refused: want 3 upstreams, 3 ships, 4 routes; got %d, %d, %d", len(m.Mothership.Upstreams), len(m.Ships), len(m.Routes()))
	}
	var warned []string
	for _, w := range m.Warnings {
		warned = append(warned, w.Key)
	}
	for _, k := range []string{"server.worker_threads"} {
		if !slices.Contains(warned, k) {
			t.Errorf("warpdrive-complete-refused: no warning at %s; warnings: %v", k, m.Warnings)
		}
	}
}

// lineDiff shows the first lines where two texts differ, then the whole of got.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			fmt.Fprintf(&b, "line %d:\n  want: %q\n  got:  %q\n", i+1, w, g)
			break
		}
	}
	b.WriteString("got:\n")
	b.WriteString(got)
	return b.String()
}

// summarize renders what a manifest means, in a stable, readable form:
// everything that decides what runs and where traffic goes, defaults
// included, maps sorted, routes in declaration order.
func summarize(m *manifest.Manifest) string {
	var b strings.Builder
	p := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	ms := m.Mothership
	p(0, "dialect: %s", m.Dialect)

	if len(ms.Binds) > 0 {
		p(0, "binds:")
		for _, bd := range ms.Binds {
			extra := ""
			if bd.ProxyProtocol.Enabled {
				extra = " proxy_protocol"
			}
			at := "default"
			if bd.Pos.Line > 0 {
				at = fmt.Sprintf("line %d", bd.Pos.Line)
			}
			p(1, "%s: %s (%s)%s", bd.Name, addr(bd.Addr), at, extra)
		}
	}
	if ms.MetricsPort != 0 {
		p(0, "metrics_port: %d", ms.MetricsPort)
	}
	if ms.Compression {
		p(0, "compression: true")
	}
	if len(ms.StaticDirs) > 0 {
		p(0, "static_dirs:")
		for _, d := range ms.StaticDirs {
			bind := "every bind"
			if d.Bind != "" {
				bind = "bind " + d.Bind
			}
			p(1, "%s → %s (%s)", d.Prefix, d.Path, bind)
		}
	}
	defCORS := manifest.CORSCache{DefaultTTL: time.Hour, MaxEntries: 10000}
	if ms.CORSCache != defCORS {
		p(0, "cors_cache: enabled=%v default_ttl=%s max_entries=%d", ms.CORSCache.Enabled, ms.CORSCache.DefaultTTL, ms.CORSCache.MaxEntries)
	}
	if ms.RateLimiting != (manifest.RateLimiting{}) {
		p(0, "rate_limiting: global_rps=%v per_ip_rpm=%v", ms.RateLimiting.GlobalRPS, ms.RateLimiting.PerIPRPM)
	}
	if len(ms.Env) > 0 {
		p(0, "env: %s", env(ms.Env))
	}
	if len(ms.Prelaunch) > 0 {
		p(0, "prelaunch:")
		for _, j := range ms.Prelaunch {
			p(1, "%s (line %d)", j.Name, j.Pos.Line)
			process(p, 2, j.Process)
		}
	}
	if len(ms.Uplinks) > 0 {
		p(0, "uplinks:")
		for _, u := range ms.Uplinks {
			p(1, "%s: %s timeout=%s", u.Name, u.URL, u.Timeout)
		}
	}
	defFlagship := manifest.Flagship{Election: manifest.ElectionStatic, LockName: "mothership", PrelaunchTimeout: 300 * time.Second, ElectionTimeout: 30 * time.Second}
	if f := ms.Flagship; f != defFlagship {
		p(0, "flagship:")
		p(1, "enabled: %v", f.Enabled)
		p(1, "election: %s", f.Election)
		if f.ElectionURL != "" {
			p(1, "election_url: %s", f.ElectionURL)
		}
		p(1, "lock_name: %s", f.LockName)
		if f.StaticFlagship != "" {
			p(1, "static_flagship: %q", f.StaticFlagship)
		}
		if f.StaticCommand != "" {
			p(1, "static_flagship: command %q equals %q", f.StaticCommand, f.StaticEquals)
		}
		p(1, "prelaunch_timeout: %s election_timeout: %s", f.PrelaunchTimeout, f.ElectionTimeout)
	}

	if len(m.Ships) > 0 {
		p(0, "ships:")
		for _, s := range m.Ships {
			p(1, "%s (group %s, line %d)", s.Name, s.Group, s.Pos.Line)
			process(p, 2, s.Process)
			switch {
			case s.Bind != nil:
				p(2, "bind: %s", addr(*s.Bind))
			case s.AutoPort:
				p(2, "bind: autoport (a free loopback port as $PORT)")
			default:
				p(2, "bind: none")
			}
			if h := s.Healthcheck; h != nil {
				p(2, "healthcheck: GET %s every %s, timeout %s, %d retries", h.Path, h.Interval, h.Timeout, h.Retries)
			} else {
				p(2, "healthcheck: none")
			}
			p(2, "critical=%v oneshot=%v boot_timeout=%s", s.Critical, s.Oneshot, s.BootTimeout)
			p(2, "tags: %s", list(s.Tags))
		}
	}
	if len(m.Bays) > 0 {
		p(0, "bays:")
		for _, bay := range m.Bays {
			p(1, "%s (type %s, line %d)", bay.Name, bay.Type, bay.Pos.Line)
			process(p, 2, bay.Process)
			p(2, "config: %s", config(bay.Config))
			p(2, "critical=%v workers=%d threads=%d request_timeout=%s boot_timeout=%s", bay.Critical, bay.Workers, bay.Threads, bay.RequestTimeout, bay.BootTimeout)
			p(2, "tags: %s", list(bay.Tags))
		}
	}
	if routes := m.Routes(); len(routes) > 0 {
		p(0, "routes (in order):")
		for i, r := range routes {
			p(1, "%d. line %d: %s → %s", i+1, r.Pos.Line, route(r), r.Target)
		}
	}
	if len(m.Modules) > 0 {
		p(0, "modules:")
		for _, md := range m.Modules {
			p(1, "%s (line %d)", md.Name, md.Pos.Line)
			p(2, "wasm: %s", md.Wasm)
			p(2, "phase: %s", md.Phase)
			p(2, "routes: %s", list(md.Routes))
			p(2, "config: %s", config(md.Config))
			p(2, "tags: %s", list(md.Tags))
		}
	}
	if len(ms.Upstreams) > 0 {
		p(0, "upstreams:")
		for _, u := range ms.Upstreams {
			var addrs []string
			for _, a := range u.Addrs {
				addrs = append(addrs, addr(a))
			}
			p(1, "%s (line %d): strategy=%s addrs=[%s]", u.Name, u.Pos.Line, u.Strategy, strings.Join(addrs, ", "))
			if h := u.Health; h != nil {
				p(2, "health: GET %s every %s, timeout %s, down after %d failures, up after %d successes", h.Path, h.Interval, h.Timeout, h.UnhealthyThreshold, h.HealthyThreshold)
			}
		}
	}
	// Warnings about the manifest itself; those about this machine (a
	// command not on PATH, a file that does not exist) depend on where the
	// test runs.
	var warnings []string
	for _, w := range m.Warnings {
		if strings.HasSuffix(w.Message, "is not on PATH here") || strings.HasSuffix(w.Message, "does not exist here") {
			continue
		}
		warnings = append(warnings, fmt.Sprintf("line %d: %s: %s", w.Line, w.Key, w.Message))
	}
	if len(warnings) > 0 {
		p(0, "warnings:")
		for _, w := range warnings {
			p(1, "%s", w)
		}
	}
	return b.String()
}

func process(p func(int, string, ...any), indent int, pr manifest.Process) {
	p(indent, "command: %q", pr.Command)
	p(indent, "args: %s", list(pr.Args))
	if pr.Cwd != "" {
		p(indent, "cwd: %s", pr.Cwd)
	}
	p(indent, "env: %s", env(pr.Env))
	if len(pr.DependsOn) > 0 {
		p(indent, "depends_on: %s", list(pr.DependsOn))
	}
}

func addr(a manifest.Addr) string { return a.Network + " " + a.Address }

func list(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func env(e map[string]string) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(e)) {
		kv = append(kv, fmt.Sprintf("%s=%q", k, e[k]))
	}
	return "{" + strings.Join(kv, ", ") + "}"
}

func config(c map[string]any) string {
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(c)) {
		kv = append(kv, fmt.Sprintf("%s=%#v", k, c[k]))
	}
	return "{" + strings.Join(kv, ", ") + "}"
}

func headers(hs []manifest.Header) string {
	var s []string
	for _, h := range hs {
		s = append(s, fmt.Sprintf("%s: %q", h.Name, h.Value))
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// route lists the fields a route sets, in a fixed order.
func route(r *manifest.Route) string {
	var f []string
	add := func(k, v string) {
		if v != "" {
			f = append(f, k+"="+v)
		}
	}
	q := func(s string) string {
		if s == "" {
			return ""
		}
		return fmt.Sprintf("%q", s)
	}
	add("bind", r.Bind)
	add("pattern", q(r.Pattern))
	add("path_prefix", q(r.PathPrefix))
	add("path_exact", q(r.PathExact))
	add("path_regex", q(r.PathRegex))
	add("host", q(r.Host))
	if len(r.Methods) > 0 {
		add("methods", list(r.Methods))
	}
	if len(r.Headers) > 0 {
		add("headers", headers(r.Headers))
	}
	add("ua_filter", q(r.UAFilter))
	add("strip_prefix", q(r.StripPrefix))
	if r.StripMatched {
		add("strip_prefix", "true (the matched prefix)")
	}
	add("rewrite", q(r.Rewrite))
	if len(r.AddHeaders) > 0 {
		add("add_headers", headers(r.AddHeaders))
	}
	if r.ReadTimeout != 0 {
		add("read_timeout", r.ReadTimeout.String())
	}
	if r.ConnectTimeout != 0 {
		add("connect_timeout", r.ConnectTimeout.String())
	}
	add("description", q(r.Description))
	return strings.Join(f, " ")
}
