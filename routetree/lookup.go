package routetree

import (
	"strings"
)

// frame is a place in the trie walk still to visit: a node and the path
// offset where its edge starts.
type frame struct {
	n   *node
	pos int
}

// walk finds the lowest-index route in the trie under root that matches req
// and has an index below best, and returns it (or nil). The walk is
// iterative over a stack sized at compile time, so it does not allocate.
func walk(root *node, req *Request, best *Route, ua *uaState) *Route {
	path := req.Path
	var buf [16]frame
	stack := buf[:0]
	stack = append(stack, frame{root, 0})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, pos := f.n, f.pos
		if best != nil && n.minIndex >= best.Index {
			continue
		}
		if n.isParam {
			end := strings.IndexByte(path[pos:], '/')
			if end < 0 {
				end = len(path) - pos
			}
			if end == 0 {
				continue
			}
			pos += end
		} else {
			if !strings.HasPrefix(path[pos:], n.label) {
				continue
			}
			pos += len(n.label)
		}
		for _, r := range n.prefix {
			if best != nil && r.Index >= best.Index {
				break
			}
			if prefixMatches(r, path, pos) && r.matchRest(req, ua) {
				best = r
				break
			}
		}
		if pos == len(path) {
			for _, r := range n.exact {
				if best != nil && r.Index >= best.Index {
					break
				}
				if r.matchRest(req, ua) {
					best = r
					break
				}
			}
			continue
		}
		if n.param != nil && pos > 0 && path[pos-1] == '/' {
			stack = append(stack, frame{n.param, pos})
		}
		c := path[pos]
		for i, ic := range n.indices {
			if ic == c {
				stack = append(stack, frame{n.static[i], pos})
				break
			}
		}
	}
	return best
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
