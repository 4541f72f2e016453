package routetree

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/useragent"
)

// Tree is the compiled routing of a manifest: one BindTree per bind. It is
// immutable; a reload compiles a new one.
type Tree struct {
	binds map[string]*BindTree
	// Binds are the bind trees in declaration order.
	Binds []*BindTree
	// Warnings are routes that can never match, shadowed by earlier ones.
	Warnings manifest.Problems
}

// BindTree is the routing of one bind.
type BindTree struct {
	// Bind is the bind as the manifest declares it.
	Bind *manifest.Bind
	// Routes are the bind's routes in declaration order.
	Routes []*Route
	// StaticDirs are the bind's static directories, longest prefix first.
	StaticDirs []*manifest.StaticDir

	any   *node
	exact map[string]*node
	wild  []wildTree
}

type wildTree struct {
	suffix string // ".example.com"
	root   *node
}

// Bind returns the tree of the named bind, or nil.
func (t *Tree) Bind(name string) *BindTree { return t.binds[name] }

// Lookup returns the route of the named bind that matches req first in
// declaration order, or nil.
func (t *Tree) Lookup(bind string, req *Request) *Route {
	bt := t.binds[bind]
	if bt == nil {
		return nil
	}
	return bt.Lookup(req)
}

// Lookup returns the route that matches req first in declaration order, or
// nil. It does not allocate.
func (bt *BindTree) Lookup(req *Request) *Route {
	st := newState(req)
	best := walk(bt.any, &st, nil)
	if len(bt.exact) == 0 && len(bt.wild) == 0 {
		return best
	}
	host := hostOnly(req.Host)
	if n := bt.exactHost(host); n != nil {
		best = walk(n, &st, best)
	}
	for _, w := range bt.wild {
		if matchesWild(host, w.suffix) {
			best = walk(w.root, &st, best)
		}
	}
	return best
}

// Static returns the static directory whose prefix is the longest to cover
// path, or nil. A prefix covers the paths under it on segment boundaries:
// `/assets` covers `/assets` and `/assets/app.js`, not `/assetsx`.
func (bt *BindTree) Static(path string) *manifest.StaticDir {
	for _, d := range bt.StaticDirs {
		if coversPath(d.Prefix, path) {
			return d
		}
	}
	return nil
}

func coversPath(prefix, path string) bool {
	if !strings.HasPrefix(path, prefix) {
		return false
	}
	return len(path) == len(prefix) || strings.HasSuffix(prefix, "/") || path[len(prefix)] == '/'
}

// Compile builds the routing tree of a manifest. Every route that cannot
// compile is reported, as manifest.Problems with its line and key, so that
// `clearance` shows them beside the loader's findings.
func Compile(m *manifest.Manifest) (*Tree, error) {
	t := &Tree{binds: map[string]*BindTree{}}
	for _, b := range m.Mothership.Binds {
		bt := &BindTree{Bind: b, any: newNode(), exact: map[string]*node{}}
		for _, d := range m.Mothership.StaticDirs {
			if d.Bind == "" || d.Bind == b.Name {
				bt.StaticDirs = append(bt.StaticDirs, d)
			}
		}
		slices.SortStableFunc(bt.StaticDirs, func(a, b *manifest.StaticDir) int { return cmp.Compare(len(b.Prefix), len(a.Prefix)) })
		t.binds[b.Name] = bt
		t.Binds = append(t.Binds, bt)
	}
	var probs manifest.Problems
	fail := func(key string, line int, format string, args ...any) {
		probs = append(probs, manifest.Problem{File: m.File, Line: line, Key: key, Message: fmt.Sprintf(format, args...)})
	}
	for i, src := range m.Routes() {
		r, key, err := compileRoute(i, src)
		if err != nil {
			fail(key, src.Pos.Line, "%v", err)
			continue
		}
		if bt := t.binds[src.Bind]; bt != nil {
			bt.add(r)
		}
	}
	for _, md := range m.Modules {
		for i, p := range md.Routes {
			if _, err := compilePattern(p); err != nil {
				fail(md.Pos.Key+".routes["+strconv.Itoa(i)+"]", md.Pos.Line, "%v", err)
			}
		}
	}
	for _, r := range m.Routes() {
		if r.UAFilter != "" {
			// The classifier builds its automaton on first use (about 20 ms);
			// pay that now rather than on the first request.
			useragent.Classify("")
			break
		}
	}
	for _, bt := range t.Binds {
		bt.finish()
		t.Warnings = append(t.Warnings, shadowWarnings(m.File, bt)...)
	}
	if len(probs) > 0 {
		return t, probs
	}
	return t, nil
}

func compileRoute(index int, src *manifest.Route) (*Route, string, error) {
	r := &Route{Index: index, Bind: src.Bind, Target: src.Target, Source: src, methods: newMethodSet(src.Methods), headers: src.Headers}
	var err error
	key := src.Pos.Key
	switch {
	case src.Pattern != "":
		key += ".pattern"
		r.path, err = compilePattern(src.Pattern)
	case src.PathRegex != "":
		key += ".path_regex"
		r.path, err = compilePathRegex(src.PathRegex)
	case src.PathPrefix != "":
		r.path = compilePathPrefix(src.PathPrefix)
	case src.PathExact != "":
		r.path = compilePathExact(src.PathExact)
	default:
		r.path = pathMatcher{kind: pathAny, desc: "any path"}
	}
	if err != nil {
		return nil, key, err
	}
	if src.UAFilter != "" {
		f, err := useragent.ParseFilter(src.UAFilter)
		if err != nil {
			return nil, src.Pos.Key + ".ua_filter", err
		}
		r.ua = &f
	}
	r.StripPrefix = src.StripPrefix
	if src.StripMatched {
		r.StripPrefix = strings.TrimSuffix(r.path.literal, "/")
		if r.StripPrefix == "" {
			return nil, src.Pos.Key + ".strip_prefix", fmt.Errorf("strip_prefix = true strips the route's literal path prefix, and %s has none; write the prefix to strip", r.path.desc)
		}
	}
	if src.Rewrite != "" {
		r.RewritePrefix = strings.TrimSuffix(r.path.literal, "/")
		if r.RewritePrefix == "" {
			return nil, src.Pos.Key + ".rewrite", fmt.Errorf("rewrite replaces the route's literal path prefix, and %s has none", r.path.desc)
		}
	}
	return r, key, nil
}

// add files the route under its host: an exact host's trie, a wildcard
// suffix's trie, or the trie of routes for any host.
func (bt *BindTree) add(r *Route) {
	bt.Routes = append(bt.Routes, r)
	host := r.Source.Host
	switch {
	case host == "":
		bt.any.insert(r)
	case strings.HasPrefix(host, "*."):
		suffix := host[1:]
		i := slices.IndexFunc(bt.wild, func(w wildTree) bool { return w.suffix == suffix })
		if i < 0 {
			bt.wild = append(bt.wild, wildTree{suffix: suffix, root: newNode()})
			i = len(bt.wild) - 1
		}
		bt.wild[i].root.insert(r)
	default:
		n := bt.exact[host]
		if n == nil {
			n = newNode()
			bt.exact[host] = n
		}
		n.insert(r)
	}
}

func (bt *BindTree) finish() {
	bt.any.compress()
	for _, n := range bt.exact {
		n.compress()
	}
	for _, w := range bt.wild {
		w.root.compress()
	}
}
