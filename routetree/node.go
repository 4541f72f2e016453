package routetree

import (
	"math"
	"slices"
)

// node is a trie node. Static edges carry literal bytes (compressed into
// labels once the trie is built); a param edge takes one whole, non-empty
// path segment.
type node struct {
	label   string
	isParam bool
	indices []byte  // first byte of each static child's label
	static  []*node // static children, in the order of indices
	param   *node   // the child taking one segment
	// exact routes match when the path ends on this node; prefix routes
	// when the walk gets here and the tail (or their regexp) agrees.
	exact  []*Route
	prefix []*Route
	// minIndex is the lowest route index in this subtree, so that a walk
	// can skip subtrees that cannot beat the best match found so far.
	minIndex int
	// depth is the most param edges on any path below, sizing the walk's stack.
	depth int
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
	if i := slices.Index(n.indices, c); i >= 0 {
		return n.static[i]
	}
	ch := newNode()
	ch.label = string(c)
	n.indices = append(n.indices, c)
	n.static = append(n.static, ch)
	return ch
}

// compress merges chains of single static children into one label, sorts
// each node's routes by index, and computes minIndex and depth.
func (n *node) compress() {
	for len(n.static) == 1 && n.param == nil && len(n.exact) == 0 && len(n.prefix) == 0 && !n.isParam {
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
	for i, c := range n.static {
		c.compress()
		n.indices[i] = c.label[0]
		n.minIndex = min(n.minIndex, c.minIndex)
		n.depth = max(n.depth, c.depth)
	}
	if n.param != nil {
		n.param.compress()
		n.minIndex = min(n.minIndex, n.param.minIndex)
		n.depth = max(n.depth, n.param.depth+1)
	}
}
