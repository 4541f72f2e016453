package routetree

import (
	"fmt"
	"strings"
	"testing"
)

// TestGitHubLookups checks every GitHub API route is found for its own
// method and path: the benchmark below must measure real matches.
func TestGitHubLookups(t *testing.T) {
	rs := loadGitHub(t)
	if len(rs) != 203 {
		t.Fatalf("the GitHub set has %d routes, want 203", len(rs))
	}
	tree := githubTree(t, rs)
	for i, r := range rs {
		got := tree.Lookup("http", &Request{Method: r.method, Path: githubPath(r.path)})
		if got == nil {
			t.Errorf("%s %s: no route", r.method, r.path)
			continue
		}
		// An earlier route may also match (GET /user/starred vs /users/…); it
		// must then be one with the same method whose pattern matches.
		if got.Index > i {
			t.Errorf("%s %s: got route %d, want %d or earlier", r.method, r.path, got.Index, i)
		}
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	rs := loadGitHub(t)
	tree := githubTree(t, rs)
	hosts := compileTOML(t, routesManifest(
		`{ bind = "http", host = "*.example.com", pattern = "/.*", ua_filter = "llm" }`,
		`{ bind = "http", host = "api.example.com", pattern = "/v[0-9]+/.*" }`,
		`{ bind = "http", pattern = "/.*", headers = { X-Api = "2" } }`,
	))
	cases := []struct {
		name string
		tree *Tree
		req  Request
	}{
		{"static", tree, Request{Method: "GET", Path: "/user/repos"}},
		{"params", tree, Request{Method: "GET", Path: "/repos/julienschmidt/httprouter/stargazers"}},
		{"miss", tree, Request{Method: "GET", Path: "/nothing/here/at/all"}},
		{"upper-case host, regexp, UA class", hosts, Request{Method: "GET", Host: "API.Example.com:443", Path: "/v2/x", UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}},
	}
	for _, c := range cases {
		req := c.req
		if allocs := testing.AllocsPerRun(1000, func() { c.tree.Lookup("http", &req) }); allocs != 0 {
			t.Errorf("%s: %v allocs per lookup, want 0", c.name, allocs)
		}
	}
}

func BenchmarkGitHubAll(b *testing.B) {
	rs := loadGitHub(b)
	tree := githubTree(b, rs)
	bt := tree.Bind("http")
	reqs := make([]Request, len(rs))
	for i, r := range rs {
		reqs[i] = Request{Method: r.method, Path: githubPath(r.path)}
	}
	lookupAll(b, bt, reqs)
}

// lookupAll looks every request up b.N times and reports the time per lookup.
func lookupAll(b *testing.B, bt *BindTree, reqs []Request) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range reqs {
			bt.Lookup(&reqs[j])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/lookup")
}

func BenchmarkGitHubStatic(b *testing.B) {
	benchOne(b, githubTree(b, loadGitHub(b)), Request{Method: "GET", Path: "/user/repos"})
}

func BenchmarkGitHubParam(b *testing.B) {
	benchOne(b, githubTree(b, loadGitHub(b)), Request{Method: "GET", Path: "/repos/julienschmidt/httprouter/stargazers"})
}

func benchOne(b *testing.B, tree *Tree, req Request) {
	bt := tree.Bind("http")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bt.Lookup(&req)
	}
}

// BenchmarkSynthetic measures how lookup time grows with the number of
// routes; compare the 100 and 1000 results.
func BenchmarkSynthetic(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			tree := compileTOML(b, routesManifest(syntheticRoutes(n)...))
			bt := tree.Bind("http")
			services := n / 6
			var reqs []Request
			for i := 0; i < 64; i++ {
				svc := fmt.Sprintf("svc%d", (i*7919)%services)
				reqs = append(reqs,
					Request{Method: "GET", Path: "/" + svc + "/items/42/detail"},
					Request{Method: "GET", Host: svc + ".example.com", Path: "/x"},
					Request{Method: "GET", Path: "/" + svc + "/v2/orders"},
					Request{Method: "GET", Path: "/" + strings.Repeat("z", 8)},
				)
			}
			lookupAll(b, bt, reqs)
		})
	}
}
