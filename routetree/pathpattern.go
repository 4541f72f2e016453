package routetree

import (
	"regexp"
	"strings"
)

// PathPattern is a route pattern matched against a whole path on its own,
// outside the trie: what `[[modules]]` routes are. It is compiled to the
// same cheapest matcher a route's pattern gets.
type PathPattern struct {
	m pathMatcher
}

// CompilePathPattern compiles p as a route's `pattern` is compiled:
// anchored at both ends, a trailing `/*` a glob.
func CompilePathPattern(p string) (*PathPattern, error) {
	m, err := compilePattern(p)
	if err != nil {
		return nil, err
	}
	if m.kind == pathExact || m.kind == pathPrefix {
		// Outside the trie the pieces are checked here: literal ones join
		// into one prefix; a segment piece needs the regexp after all.
		var lit strings.Builder
		for _, pc := range m.pieces {
			if pc.param {
				src := p
				if strings.HasSuffix(p, "/*") {
					src = p[:len(p)-1] + "(?s:.*)"
				}
				re, err := regexp.Compile(`^(?:` + src + `)$`)
				if err != nil {
					return nil, patternError(p, src, err)
				}
				return &PathPattern{pathMatcher{kind: pathRegexp, re: re}}, nil
			}
			lit.WriteString(pc.lit)
		}
		m.literal = lit.String()
	}
	return &PathPattern{m}, nil
}

// Match reports whether the whole path matches.
func (p *PathPattern) Match(path string) bool {
	switch p.m.kind {
	case pathExact:
		return path == p.m.literal
	case pathPrefix:
		return strings.HasPrefix(path, p.m.literal) && tailMatches(p.m.tail, path[len(p.m.literal):])
	}
	return prefixMatches(&Route{path: p.m}, path, 0)
}
