package fuzz

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// routeSpec turns fuzz input into routes, one a line: the first byte picks
// the path matcher (p pattern, x path_prefix, e path_exact, r path_regex,
// n none); upper case adds methods = ["GET"]; text after a tab is the host.
func routeSpec(spec string) []*manifest.Route {
	var rs []*manifest.Route
	for i, line := range strings.SplitN(spec, "\n", 12) {
		if line == "" {
			continue
		}
		r := &manifest.Route{Bind: "http", Target: manifest.Target{Kind: manifest.TargetShip, Name: "app"}, Pos: manifest.Pos{Line: i + 1, Offset: i}}
		kind, rest := line[0], line[1:]
		if kind >= 'A' && kind <= 'Z' {
			kind += 'a' - 'A'
			r.Methods = []string{"GET"}
		}
		value, host, _ := strings.Cut(rest, "\t")
		r.Host = strings.ToLower(host)
		switch kind {
		case 'p':
			r.Pattern = value
		case 'x':
			r.PathPrefix = value
		case 'e':
			r.PathExact = value
		case 'r':
			r.PathRegex = value
		case 'n':
		default:
			continue
		}
		if (r.Pattern == "" && kind == 'p') || (r.PathRegex == "" && kind == 'r') || (kind == 'x' || kind == 'e') && !strings.HasPrefix(value, "/") {
			continue
		}
		if r.Host != "" && (strings.ContainsAny(strings.TrimPrefix(r.Host, "*."), "*/: ") || strings.TrimPrefix(r.Host, "*.") == "") {
			continue
		}
		rs = append(rs, r)
	}
	return rs
}

// naive is the reference: every route in declaration order, each matcher
// written the obvious way over Go's regexp, no trie, no shortcuts.
type naive struct {
	routes []*manifest.Route
	res    []*regexp.Regexp
}

func newNaive(rs []*manifest.Route) (*naive, bool) {
	n := &naive{routes: rs}
	for _, r := range rs {
		var src string
		switch {
		case r.Pattern != "" && strings.HasSuffix(r.Pattern, "/*"):
			src = `^(?:` + strings.TrimSuffix(r.Pattern, "*") + `(?s:.*))$`
		case r.Pattern != "":
			src = `^(?:` + r.Pattern + `)$`
		case r.PathRegex != "":
			src = r.PathRegex
		}
		var re *regexp.Regexp
		if src != "" {
			var err error
			if re, err = regexp.Compile(src); err != nil {
				return nil, false // regexp2 territory: the reference has no opinion
			}
		}
		n.res = append(n.res, re)
	}
	return n, true
}

func refHost(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasPrefix(h, "[") {
		h = h[:i]
	} else if strings.HasPrefix(h, "[") {
		if j := strings.IndexByte(h, ']'); j > 0 {
			h = h[:j+1]
		}
	}
	h = strings.TrimSuffix(h, ".")
	b := []byte(h)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func (n *naive) lookup(host, method, path string) int {
	h := refHost(host)
	for i, r := range n.routes {
		switch {
		case r.Host == "":
		case strings.HasPrefix(r.Host, "*."):
			if !strings.HasSuffix(h, r.Host[1:]) || len(h) <= len(r.Host)-1 {
				continue
			}
		default:
			if h != r.Host {
				continue
			}
		}
		if len(r.Methods) > 0 && !slices.Contains(r.Methods, method) {
			continue
		}
		switch {
		case n.res[i] != nil:
			if !n.res[i].MatchString(path) {
				continue
			}
		case r.PathPrefix != "":
			if !strings.HasPrefix(path, r.PathPrefix) {
				continue
			}
		case r.PathExact != "":
			if path != r.PathExact {
				continue
			}
		}
		return i
	}
	return -1
}

// FuzzLookup checks that compiling and looking up never panics, and that
// the tree picks the same route as a naive in-order scan.
func FuzzLookup(f *testing.F) {
	seeds := []struct{ spec, host, method, path string }{
		{"p/users/new\np/users/[^/]+\nP/.*", "", "GET", "/users/bob"},
		{"p/repos/[^/]+/[^/]+/events\np/repos/[^/]+/[^/]+\nx/repos", "", "GET", "/repos/a/b/events"},
		{"p/api/*\tapi.example.com\np/.*\t*.example.com\nn", "API.example.com:80", "GET", "/api/x"},
		{"e/health\nx/api\np/api/v[0-9]+/.*\nr^/users/[0-9]+", "", "POST", "/api/v2/x"},
		{"p/a/.*\np/*", "", "GET", "/a/x\ny"},
		{"p/files/[^/]+/.*\np(?i)/FILES/.*\np/(a|b)/[^/]+", "", "GET", "/b/c"},
		{"p/[^/]+/x\np/[^/]+/[^/]+\np/", "", "GET", "//x"},
	}
	for _, s := range seeds {
		f.Add(s.spec, s.host, s.method, s.path)
	}
	f.Fuzz(func(t *testing.T, spec, host, method, path string) {
		rs := routeSpec(spec)
		m := &manifest.Manifest{File: "fuzz.toml"}
		m.Mothership.Binds = []*manifest.Bind{{Name: "http", Addr: manifest.Addr{Network: "tcp", Address: "127.0.0.1:1"}}}
		m.Ships = []*manifest.Ship{{Process: manifest.Process{Name: "app"}, Routes: rs}}
		tree, err := routetree.Compile(m)
		if err != nil {
			return
		}
		req := &routetree.Request{Host: host, Method: method, Path: path}
		got := tree.Lookup("http", req)
		ref, ok := newNaive(rs)
		if !ok {
			return
		}
		want := ref.lookup(host, method, path)
		gotIdx := -1
		if got != nil {
			gotIdx = got.Index
		}
		if gotIdx != want {
			t.Fatalf("routes %q, %s %q host %q: tree picked %d, in-order scan %d", spec, method, path, host, gotIdx, want)
		}
	})
}
