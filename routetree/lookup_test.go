package routetree

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

type probe struct {
	method, host, path, ua string
	header                 http.Header
	want                   int // route index, -1 for no route
}

func TestLookupFirstMatchInDeclarationOrder(t *testing.T) {
	const chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	const gptbot = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"
	cases := []struct {
		name   string
		routes []string
		probes []probe
	}{
		{"static before param", []string{
			`{ pattern = "/users/new" }`,
			`{ pattern = "/users/[^/]+" }`,
		}, []probe{{path: "/users/new", want: 0}, {path: "/users/bob", want: 1}, {path: "/users/", want: -1}, {path: "/users/bob/x", want: -1}}},
		{"param before static wins for both", []string{
			`{ pattern = "/users/[^/]+" }`,
			`{ pattern = "/users/new" }`,
		}, []probe{{path: "/users/new", want: 0}, {path: "/users/bob", want: 0}}},
		{"catch-all first shadows the rest", []string{
			`{ pattern = "/.*" }`,
			`{ path_exact = "/health" }`,
		}, []probe{{path: "/health", want: 0}, {path: "/", want: 0}}},
		{"specific before catch-all", []string{
			`{ path_exact = "/health" }`,
			`{ pattern = "/api/.*" }`,
			`{ pattern = "/.*" }`,
		}, []probe{{path: "/health", want: 0}, {path: "/healthz", want: 2}, {path: "/api/x", want: 1}, {path: "/api", want: 2}, {path: "/api/", want: 1}}},
		{"glob is a prefix that needs its slash", []string{
			`{ pattern = "/api/*" }`,
			`{ pattern = "/*" }`,
		}, []probe{{path: "/api/v1/users", want: 0}, {path: "/api/", want: 0}, {path: "/api", want: 1}, {path: "/", want: 1}, {path: "/api/a\nb", want: 0}}},
		{"dot-star stops at a newline, a glob does not", []string{
			`{ pattern = "/a/.*" }`,
			`{ pattern = "/*" }`,
		}, []probe{{path: "/a/x\ny", want: 1}, {path: "/a/xy", want: 0}}},
		{"path_prefix is a byte prefix", []string{
			`{ path_prefix = "/api" }`,
		}, []probe{{path: "/api", want: 0}, {path: "/apiary", want: 0}, {path: "/ap", want: -1}}},
		{"overlapping prefixes keep declaration order", []string{
			`{ path_prefix = "/api" }`,
			`{ path_prefix = "/api/v2" }`,
		}, []probe{{path: "/api/v2/x", want: 0}}},
		{"trailing slash is a different path", []string{
			`{ path_exact = "/docs" }`,
			`{ path_exact = "/docs/" }`,
		}, []probe{{path: "/docs", want: 0}, {path: "/docs/", want: 1}, {path: "/docs//", want: -1}}},
		{"regexp among trie routes", []string{
			`{ pattern = "/users/[0-9]+" }`,
			`{ pattern = "/users/[^/]+" }`,
		}, []probe{{path: "/users/42", want: 0}, {path: "/users/bob", want: 1}}},
		{"case-insensitive regexp", []string{
			`{ pattern = "(?i)/Admin/.*" }`,
		}, []probe{{path: "/admin/x", want: 0}, {path: "/ADMIN/", want: 0}, {path: "/admins", want: -1}}},
		{"path_regex is searched, not anchored", []string{
			`{ path_regex = "^/users/[0-9]+/posts" }`,
			`{ path_regex = "\\.php$" }`,
		}, []probe{{path: "/users/7/posts/9", want: 0}, {path: "/x/index.php", want: 1}, {path: "/users/x/posts", want: -1}}},
		{"regexp2 for lookahead", []string{
			`{ pattern = "/(?!internal/).*" }`,
			`{ pattern = "/.*" }`,
		}, []probe{{path: "/public/x", want: 0}, {path: "/internal/x", want: 1}}},
		{"methods", []string{
			`{ path_prefix = "/admin", methods = ["GET", "POST"] }`,
			`{ path_prefix = "/admin", methods = ["PUT", "DELETE", "PURGE"] }`,
		}, []probe{{method: "GET", path: "/admin", want: 0}, {method: "DELETE", path: "/admin", want: 1}, {method: "PURGE", path: "/admin", want: 1}, {method: "PATCH", path: "/admin", want: -1}}},
		{"headers", []string{
			`{ header = { name = "X-API-Version", value = "v2" } }`,
			`{ headers = { X-Api-Version = "v1" } }`,
			`{ headers = { X-Debug = "" } }`,
		}, []probe{
			{path: "/", header: http.Header{"X-Api-Version": {"v2"}}, want: 0},
			{path: "/", header: http.Header{"X-Api-Version": {"v1"}}, want: 1},
			{path: "/", header: http.Header{"X-Debug": {"1"}}, want: 2},
			{path: "/", want: -1},
		}},
		{"hosts: exact, wildcard and any, by declaration order", []string{
			`{ host = "*.example.com", pattern = "/.*" }`,
			`{ host = "api.example.com", pattern = "/.*" }`,
			`{ host = "www.example.com", path_prefix = "/cable" }`,
			`{ pattern = "/.*" }`,
		}, []probe{
			{host: "api.example.com", path: "/", want: 0},
			{host: "API.Example.COM:8443", path: "/", want: 0},
			{host: "example.com", path: "/", want: 3},
			{host: "other.org", path: "/", want: 3},
			{host: "a.b.example.com", path: "/", want: 0},
		}},
		{"exact host before wildcard", []string{
			`{ host = "www.example.com", path_prefix = "/cable" }`,
			`{ host = "*.example.com", pattern = "/.*" }`,
		}, []probe{{host: "www.example.com", path: "/cable", want: 0}, {host: "WWW.example.com.", path: "/cable", want: 0}, {host: "www.example.com", path: "/x", want: 1}}},
		{"user agent classes", []string{
			`{ pattern = "/.*", ua_filter = "llm" }`,
			`{ pattern = "/.*", ua_filter = "browser" }`,
			`{ pattern = "/.*", ua_filter = "~^curl/" }`,
			`{ pattern = "/.*" }`,
		}, []probe{{path: "/", ua: gptbot, want: 0}, {path: "/", ua: chrome, want: 1}, {path: "/", ua: "curl/8.5.0", want: 2}, {path: "/", ua: "", want: 3}}},
		{"no path matcher matches every path", []string{
			`{ host = "a.test" }`,
		}, []probe{{host: "a.test", path: "/anything", want: 0}, {host: "a.test", path: "*", want: 0}, {host: "b.test", path: "/", want: -1}}},
		{"paths without a leading slash reach only routes that allow them", []string{
			`{ pattern = "/.*" }`,
			`{ pattern = ".*" }`,
		}, []probe{{method: "OPTIONS", path: "*", want: 1}, {path: "/", want: 0}}},
		{"parameter segments need a value", []string{
			`{ pattern = "/repos/[^/]+/[^/]+/events" }`,
			`{ pattern = "/repos/[^/]+/[^/]+" }`,
		}, []probe{{path: "/repos/a/b/events", want: 0}, {path: "/repos/a/b", want: 1}, {path: "/repos//b", want: -1}, {path: "/repos/a/b/", want: -1}}},
		{"parameter then prefix", []string{
			`{ pattern = "/files/[^/]+/.*" }`,
		}, []probe{{path: "/files/x/", want: 0}, {path: "/files/x/a/b", want: 0}, {path: "/files/x", want: -1}}},
	}
	for _, c := range cases {
		tree := compileTOML(t, routesManifest(withBind(c.routes)...))
		for _, p := range c.probes {
			method := p.method
			if method == "" {
				method = "GET"
			}
			req := &Request{Host: p.host, Method: method, Path: p.path, UserAgent: p.ua}
			if p.header != nil {
				req.Header = p.header
			}
			got := tree.Lookup("http", req)
			gotIdx := -1
			if got != nil {
				gotIdx = got.Index
			}
			if gotIdx != p.want {
				t.Errorf("%s: %s %s host=%q ua=%.20q: got route %d, want %d", c.name, method, p.path, p.host, p.ua, gotIdx, p.want)
			}
		}
	}
}

func withBind(routes []string) []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = `{ bind = "http", ` + r[2:]
	}
	return out
}

func TestStaticLongestPrefixOnSegmentBoundaries(t *testing.T) {
	tree := compileTOML(t, `
[mothership.bind]
http = "127.0.0.1:8080"
admin = "127.0.0.1:8081"

[[mothership.static_dirs]]
path = "./public"
prefix = "/"

[[mothership.static_dirs]]
path = "./public/assets"
prefix = "/assets"

[[mothership.static_dirs]]
path = "./admin-assets"
prefix = "/assets/admin"
bind = "admin"
`)
	cases := []struct {
		bind, path, want string
	}{
		{"http", "/assets/app.js", "./public/assets"},
		{"http", "/assets", "./public/assets"},
		{"http", "/assetsx", "./public"},
		{"http", "/assets/admin/x.css", "./public/assets"},
		{"admin", "/assets/admin/x.css", "./admin-assets"},
		{"http", "/index.html", "./public"},
	}
	for _, c := range cases {
		d := tree.Bind(c.bind).Static(c.path)
		if d == nil || d.Path != c.want {
			t.Errorf("%s %s: got %v, want %s", c.bind, c.path, d, c.want)
		}
	}
}

func TestStripAndRewritePrefixes(t *testing.T) {
	tree := compileTOML(t, routesManifest(
		`{ bind = "http", path_prefix = "/sidekiq", strip_prefix = true }`,
		`{ bind = "http", pattern = "/api/.*", strip_prefix = "/api" }`,
		`{ bind = "http", pattern = "/old-api/.*", rewrite = "/new-api" }`,
	))
	cases := []struct {
		path, strip, rewrite string
	}{
		{"/sidekiq/jobs", "/sidekiq", ""},
		{"/api/users", "/api", ""},
		{"/old-api/users", "", "/old-api"},
	}
	for _, c := range cases {
		r := tree.Lookup("http", &Request{Method: "GET", Path: c.path})
		if r == nil || r.StripPrefix != c.strip || r.RewritePrefix != c.rewrite {
			t.Errorf("%s: got %+v, want strip %q rewrite %q", c.path, r, c.strip, c.rewrite)
		}
	}
}

func TestPatternMatcherChoice(t *testing.T) {
	cases := []struct {
		pattern string
		want    pathKind
		desc    string
	}{
		{"/health", pathExact, "exact /health"},
		{"/api/.*", pathPrefix, "prefix /api/.*"},
		{"/api/*", pathPrefix, "prefix /api/*"},
		{"/repos/[^/]+/[^/]+/events", pathExact, "segments /repos/{seg}/{seg}/events"},
		{"/users/[0-9]+", pathRegexp, "regexp /users/[0-9]+"},
		{"/(?!x).*", pathRegexp2, "regexp2 /(?!x).*"},
		{"^/a$", pathExact, "exact /a"},
		{"/(api)/(.*)", pathPrefix, "prefix /api/.*"},
	}
	for _, c := range cases {
		m, err := compilePattern(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if m.kind != c.want || m.desc != c.desc {
			t.Errorf("%s: got kind %d %q, want %d %q", c.pattern, m.kind, m.desc, c.want, c.desc)
		}
	}
}

func TestCompileErrorsNameTheRoute(t *testing.T) {
	cases := []struct {
		name, route, key, msg string
	}{
		{"unclosed paren", `{ bind = "http", pattern = "/api/(v1" }`, "fleet.web[0].routes[0].pattern", `invalid pattern "/api/(v1" at column 6: missing closing )`},
		{"bad class", `{ bind = "http", pattern = "/a[z-a]" }`, "fleet.web[0].routes[0].pattern", "at column 4: invalid character class range"},
		{"bad ua filter", `{ bind = "http", pattern = "/", ua_filter = "robot" }`, "fleet.web[0].routes[0].ua_filter", "robot"},
		{"strip without literal", `{ bind = "http", pattern = "(?i)/x/.*", strip_prefix = true }`, "fleet.web[0].routes[0].strip_prefix", "has none"},
	}
	for _, c := range cases {
		m, err := manifest.Parse("test.toml", []byte(routesManifest(c.route)), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatalf("%s: manifest: %v", c.name, err)
		}
		_, err = Compile(m)
		probs, ok := err.(manifest.Problems)
		if !ok || len(probs) != 1 {
			t.Fatalf("%s: want one problem, got %v", c.name, err)
		}
		p := probs[0]
		if p.Key != c.key || p.Line != 8 || !strings.Contains(p.Message, c.msg) {
			t.Errorf("%s: got %s (line %d, key %s), want line 8, key %s, message with %q", c.name, p.Message, p.Line, p.Key, c.key, c.msg)
		}
	}
}

func TestShadowedRoutesAreWarned(t *testing.T) {
	tree := compileTOML(t, routesManifest(
		`{ bind = "http", pattern = "/api/.*", methods = ["GET"] }`,
		`{ bind = "http", pattern = "/.*" }`,
		`{ bind = "http", path_exact = "/health" }`,
		`{ bind = "http", host = "a.test", pattern = "/x/[^/]+" }`,
		`{ bind = "http", pattern = "(?i)/anything" }`,
		`{ bind = "http", pattern = ".*" }`,
	))
	if len(tree.Warnings) != 3 {
		t.Fatalf("want 3 warnings (routes #2, #3 and #4; not #5, which also matches paths without a leading slash), got %v", tree.Warnings)
	}
	for i, want := range []string{"fleet.web[0].routes[2]", "fleet.web[0].routes[3]", "fleet.web[0].routes[4]"} {
		w := tree.Warnings[i]
		if w.Key != want || !w.Warning || !strings.Contains(w.Message, "route #1") {
			t.Errorf("warning %d: got %s, want key %s shadowed by route #1", i, w.Error(), want)
		}
	}
}
