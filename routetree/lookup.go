package routetree

import (
	"math"
	"strings"
)

// frame is a place in the trie walk still to visit: a node and the path
// offset where its edge starts.
type frame struct {
	n   *node
	pos int
}

// walk finds the lowest-index route in the trie under root that matches req
// and has an index below best's, and returns it (or best). It descends
// static edges in place and keeps only the parameter edges it passes on a
// stack to come back to, so a walk over a trie without parameters never
// touches the stack; the stack lives in the frame and the walk does not
// allocate unless the trie nests more than 16 parameter edges.
func walk(root *node, st *state, best *Route) *Route {
	path := st.req.Path
	bestIdx := math.MaxInt
	if best != nil {
		bestIdx = best.Index
	}
	var buf [16]frame
	stack := buf[:0]
	n, pos := root, 0
	for {
		// Enter n: consume one whole non-empty segment for a parameter edge,
		// then its label, unless nothing below n can beat the best so far.
		entered := n.minIndex < bestIdx
		if entered && n.isParam {
			end := strings.IndexByte(path[pos:], '/')
			if end < 0 {
				end = len(path) - pos
			}
			pos += end
			entered = end > 0
		}
		if entered {
			entered = hasLabel(path, pos, n.label)
			pos += len(n.label)
		}
		if entered {
			for _, r := range n.prefix {
				if r.Index >= bestIdx {
					break
				}
				if prefixMatches(r, path, pos) && r.matchRest(st) {
					best, bestIdx = r, r.Index
					break
				}
			}
			if pos == len(path) {
				for _, r := range n.exact {
					if r.Index >= bestIdx {
						break
					}
					if r.matchRest(st) {
						best, bestIdx = r, r.Index
						break
					}
				}
			} else {
				child := n.staticChild(path[pos])
				param := n.param
				if param != nil && param.minIndex >= bestIdx {
					param = nil
				}
				switch {
				case child != nil && param != nil:
					stack = append(stack, frame{param, pos})
					n = child
					continue
				case child != nil:
					n = child
					continue
				case param != nil:
					n = param
					continue
				}
			}
		}
		if len(stack) == 0 {
			return best
		}
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, pos = f.n, f.pos
	}
}

// hasLabel reports whether path continues at pos with label. Labels are a
// few bytes long, where a loop beats a call to memequal.
func hasLabel(path string, pos int, label string) bool {
	if len(path)-pos < len(label) {
		return false
	}
	rest := path[pos : pos+len(label)]
	for i := 0; i < len(label); i++ {
		if rest[i] != label[i] {
			return false
		}
	}
	return true
}

// staticChild returns the child whose label starts with c. Nodes have few
// children, so a plain loop beats an assembly IndexByte call.
func (n *node) staticChild(c byte) *node {
	for i := 0; i < len(n.indices); i++ {
		if n.indices[i] == c {
			return n.static[i]
		}
	}
	return nil
}

// prefixMatches checks what the walk has not: the tail of a prefix route,
// or the whole path for a regexp route.
func prefixMatches(r *Route, path string, pos int) bool {
	switch r.path.kind {
	case pathAny:
		return true
	case pathPrefix:
		return tailMatches(r.path.tail, path[pos:])
	case pathRegexp:
		return r.path.re.MatchString(path)
	case pathRegexp2:
		ok, err := r.path.re2.MatchString(path)
		return ok && err == nil
	}
	return false
}
