package routetree

import (
	"math"
	"slices"
	"strings"
)

// node is a trie node. Static edges carry literal bytes (compressed into
// labels once the trie is built); a param edge takes one whole, non-empty
// path segment and then its label (the `/` that usually follows a
// parameter), which halves the nodes of a parameter-heavy path.
//
// The fields a walk reads on every node come first, to share a cache line.
type node struct {
	// minIndex is the lowest route index in this subtree, so that a walk
	// can skip subtrees that cannot beat the best match found so far.
	minIndex int
	label    string
	isParam  bool
	indices  string  // first byte of each static child's label
	static   []*node // static children, in the order of indices
	param    *node   // the child taking one segment
	// prefix routes match when the walk gets here and the tail (or their
	// regexp) agrees; exact routes when the path also ends here.
	prefix []*Route
	exact  []*Route
}

func newNode() *node { return &node{minIndex: math.MaxInt} }

// insert adds a route along its pieces; byte by byte for now, compress
// merges the chains afterwards.
func (n *node) insert(r *Route) {
	cur := n
	for _, p := range r.path.pieces {
		if p.param {
			if cur.param == nil {
				cur.param = newNode()
				cur.param.isParam = true
			}
			cur = cur.param
			continue
		}
		for i := 0; i < len(p.lit); i++ {
			cur = cur.child(p.lit[i])
		}
	}
	if r.path.kind == pathExact {
		cur.exact = append(cur.exact, r)
	} else {
		cur.prefix = append(cur.prefix, r)
	}
}

func (n *node) child(c byte) *node {
	if i := strings.IndexByte(n.indices, c); i >= 0 {
		return n.static[i]
	}
	ch := newNode()
	ch.label = string([]byte{c}) // a byte, not a rune: string(c) would UTF-8 encode c ≥ 0x80
	n.indices += ch.label
	n.static = append(n.static, ch)
	return ch
}

// compress merges chains of single static children into one label, sorts
// each node's routes by index, and computes minIndex.
func (n *node) compress() {
	for len(n.static) == 1 && n.param == nil && len(n.exact) == 0 && len(n.prefix) == 0 {
		c := n.static[0]
		n.label += c.label
		n.indices, n.static, n.param, n.exact, n.prefix = c.indices, c.static, c.param, c.exact, c.prefix
	}
	byIndex := func(a, b *Route) int { return a.Index - b.Index }
	slices.SortFunc(n.exact, byIndex)
	slices.SortFunc(n.prefix, byIndex)
	n.minIndex = math.MaxInt
	if len(n.exact) > 0 {
		n.minIndex = n.exact[0].Index
	}
	if len(n.prefix) > 0 {
		n.minIndex = min(n.minIndex, n.prefix[0].Index)
	}
	for _, c := range n.static {
		c.compress()
		n.minIndex = min(n.minIndex, c.minIndex)
	}
	if n.param != nil {
		n.param.compress()
		n.minIndex = min(n.minIndex, n.param.minIndex)
	}
}
