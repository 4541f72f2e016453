package routetree

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// describeRoute is a route leaf as `chart` prints it: declaration index,
// matchers and target.
func describeRoute(r *Route, exact bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", r.Index, r.path.desc)
	if exact && r.path.kind != pathExact {
		b.WriteString(" (ends here)")
	}
	if len(r.Source.Methods) > 0 {
		b.WriteString(" methods=" + strings.Join(r.Source.Methods, ","))
	}
	for _, h := range r.Source.Headers {
		if h.Value == "" {
			b.WriteString(" header=" + h.Name)
		} else {
			b.WriteString(" header=" + h.Name + ":" + h.Value)
		}
	}
	if r.Source.UAFilter != "" {
		b.WriteString(" ua=" + r.Source.UAFilter)
	}
	if r.StripPrefix != "" {
		b.WriteString(" strip=" + r.StripPrefix)
	}
	if r.RewritePrefix != "" {
		b.WriteString(" rewrite=" + r.RewritePrefix + "→" + r.Source.Rewrite)
	}
	b.WriteString(" → " + r.Target.String())
	return b.String()
}

// hostTrees lists a bind's tries under the host they serve, in a stable order.
func (bt *BindTree) hostTrees() []wildTree {
	out := []wildTree{{suffix: "*", root: bt.any}}
	for _, h := range slices.Sorted(maps.Keys(bt.exact)) {
		out = append(out, wildTree{suffix: h, root: bt.exact[h]})
	}
	for _, w := range bt.wild {
		out = append(out, wildTree{suffix: "*" + w.suffix, root: w.root})
	}
	return out
}

func edgeLabel(n *node) string {
	if n.isParam {
		if n.label == "" {
			return "{seg}"
		}
		return "{seg}" + strconv.Quote(n.label)
	}
	if n.label == "" {
		return "(root)"
	}
	return strconv.Quote(n.label)
}

// WriteChart prints every bind's tree as indented text: static directories,
// then per host the trie, each leaf a route with its declaration index,
// matchers and target.
func (t *Tree) WriteChart(w io.Writer) error {
	ew := &errWriter{w: w}
	for i, bt := range t.Binds {
		if i > 0 {
			ew.printf("\n")
		}
		pp := ""
		if bt.Bind.ProxyProtocol.Enabled {
			pp = "  proxy_protocol"
		}
		ew.printf("bind %s  %s%s  (%d routes)\n", bt.Bind.Name, bt.Bind.Addr, pp, len(bt.Routes))
		for _, d := range bt.StaticDirs {
			ew.printf("  static %s → %s (falls through when missing)\n", d.Prefix, d.Path)
		}
		for _, h := range bt.hostTrees() {
			if h.root.minIndex == math.MaxInt {
				continue
			}
			ew.printf("  host %s\n", h.suffix)
			writeTree(ew, h.root, "    ", "    ")
		}
	}
	return ew.err
}

// writeTree prints a node's edge after first, then its routes and children
// as branches at indent.
func writeTree(ew *errWriter, n *node, first, indent string) {
	ew.printf("%s%s\n", first, edgeLabel(n))
	leaves, children := mergeLeaves(n), childrenOf(n)
	total, k := len(leaves)+len(children), 0
	mark := func() (string, string) {
		k++
		if k == total {
			return "└── ", "    "
		}
		return "├── ", "│   "
	}
	for _, l := range leaves {
		b, _ := mark()
		ew.printf("%s%s%s\n", indent, b, describeRoute(l.route, l.exact))
	}
	for _, c := range children {
		b, cont := mark()
		writeTree(ew, c, indent+b, indent+cont)
	}
}

type leaf struct {
	route *Route
	exact bool
}

// mergeLeaves lists a node's routes in declaration order.
func mergeLeaves(n *node) []leaf {
	var ls []leaf
	for _, r := range n.exact {
		ls = append(ls, leaf{r, true})
	}
	for _, r := range n.prefix {
		ls = append(ls, leaf{r, false})
	}
	slices.SortFunc(ls, func(a, b leaf) int { return cmp.Compare(a.route.Index, b.route.Index) })
	return ls
}

// childrenOf lists static children by label, then the param child.
func childrenOf(n *node) []*node {
	cs := slices.Clone(n.static)
	slices.SortFunc(cs, func(a, b *node) int { return cmp.Compare(a.label, b.label) })
	if n.param != nil {
		cs = append(cs, n.param)
	}
	return cs
}

// WriteDOT prints the trees as a Graphviz digraph, one cluster per bind, so
// that `mothership chart --dot | dot -Tsvg` draws them.
func (t *Tree) WriteDOT(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("digraph routes {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n")
	id := 0
	next := func() string { id++; return "n" + strconv.Itoa(id) }
	for _, bt := range t.Binds {
		ew.printf("  subgraph cluster_%s {\n    label=%s;\n", dotID(bt.Bind.Name), dotQuote("bind "+bt.Bind.Name+" "+bt.Bind.Addr.String()))
		for _, d := range bt.StaticDirs {
			ew.printf("    %s [shape=folder, label=%s];\n", next(), dotQuote("static "+d.Prefix+" → "+d.Path))
		}
		for _, h := range bt.hostTrees() {
			if h.root.minIndex == math.MaxInt {
				continue
			}
			hid := next()
			ew.printf("    %s [shape=house, label=%s];\n", hid, dotQuote("host "+h.suffix))
			writeDOTNode(ew, h.root, hid, next)
		}
		ew.printf("  }\n")
	}
	ew.printf("}\n")
	return ew.err
}

func writeDOTNode(ew *errWriter, n *node, parent string, next func() string) {
	me := next()
	ew.printf("    %s [shape=ellipse, label=%s];\n    %s -> %s;\n", me, dotQuote(edgeLabel(n)), parent, me)
	for _, l := range mergeLeaves(n) {
		lid := next()
		ew.printf("    %s [shape=box, style=rounded, label=%s];\n    %s -> %s;\n", lid, dotQuote(describeRoute(l.route, l.exact)), me, lid)
	}
	for _, c := range childrenOf(n) {
		writeDOTNode(ew, c, me, next)
	}
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func dotID(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}

// errWriter keeps the first write error, so that printing stays readable.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
