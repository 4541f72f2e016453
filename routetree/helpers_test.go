package routetree

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// compileTOML loads a manifest from text and compiles it, failing the test
// on any problem.
func compileTOML(t testing.TB, doc string) *Tree {
	t.Helper()
	m, err := manifest.Parse("test.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	tree, err := Compile(m)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return tree
}

// routesManifest declares one bind `http` and one ship whose routes are the
// given inline tables, in order.
func routesManifest(routes ...string) string {
	var b strings.Builder
	b.WriteString("[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n\n[[fleet.web]]\nname = \"app\"\ncommand = \"app\"\nroutes = [\n")
	for _, r := range routes {
		fmt.Fprintf(&b, "  %s,\n", r)
	}
	b.WriteString("]\n")
	return b.String()
}

// githubRoute is one route of the GitHub API set.
type githubRoute struct {
	method, path string
}

func loadGitHub(t testing.TB) []githubRoute {
	t.Helper()
	f, err := os.Open("testdata/github-api.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rs []githubRoute
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		method, path, _ := strings.Cut(line, " ")
		rs = append(rs, githubRoute{method, path})
	}
	return rs
}

// githubPattern writes each `:param` as the pattern segment `[^/]+`.
func githubPattern(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = `[^/]+`
		}
	}
	return strings.Join(segs, "/")
}

// githubPath fills each `:param` with a value, giving a request path.
func githubPath(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") {
			segs[i] = "v" + s[1:]
		}
	}
	return strings.Join(segs, "/")
}

func githubTree(t testing.TB, rs []githubRoute) *Tree {
	var routes []string
	for _, r := range rs {
		routes = append(routes, fmt.Sprintf(`{ bind = "http", pattern = '%s', methods = [%q] }`, githubPattern(r.path), r.method))
	}
	return compileTOML(t, routesManifest(routes...))
}

// syntheticRoutes makes n routes of the shapes a large manifest has:
// literal endpoints, prefixes, parameter segments, hosts and a few regexps.
func syntheticRoutes(n int) []string {
	var rs []string
	for i := 0; len(rs) < n; i++ {
		svc := fmt.Sprintf("svc%d", i)
		rs = append(rs,
			fmt.Sprintf(`{ bind = "http", pattern = "/%s/items/[^/]+/detail", methods = ["GET"] }`, svc),
			fmt.Sprintf(`{ bind = "http", pattern = "/%s/items/[^/]+" }`, svc),
			fmt.Sprintf(`{ bind = "http", path_exact = "/%s/health" }`, svc),
			fmt.Sprintf(`{ bind = "http", host = "%s.example.com", pattern = "/.*" }`, svc),
			fmt.Sprintf(`{ bind = "http", pattern = "/%s/v[0-9]+/.*" }`, svc),
			fmt.Sprintf(`{ bind = "http", path_prefix = "/%s/" }`, svc),
		)
	}
	return rs[:n]
}
