package routetree

import (
	"fmt"
	"strings"

	"github.com/mothership-go/mothership/manifest"
)

// shadowWarnings finds routes that an earlier route of the same bind
// catches first for every path they could match: a catch-all declared above
// a specific route is the commonest routing mistake, and first-match-wins
// makes it silent.
func shadowWarnings(file string, bt *BindTree) manifest.Problems {
	var ws manifest.Problems
	for i, later := range bt.Routes {
		for _, earlier := range bt.Routes[:i] {
			if shadows(earlier, later) {
				ws = append(ws, manifest.Problem{
					File: file, Line: later.Source.Pos.Line, Key: later.Source.Pos.Key, Warning: true,
					Message: fmt.Sprintf("never matches: route #%d (line %d, %s) catches its requests first; declare it above that route", earlier.Index, earlier.Source.Pos.Line, earlier.path.desc),
				})
				break
			}
		}
	}
	return ws
}

// shadows reports whether every request later matches, earlier matches too.
// It is conservative: only an earlier route without method, header or
// User-Agent conditions, whose path matcher is a plain literal prefix, counts.
func shadows(earlier, later *Route) bool {
	e := earlier.Source
	if len(e.Methods) > 0 || len(e.Headers) > 0 || e.UAFilter != "" {
		return false
	}
	if e.Host != "" && e.Host != later.Source.Host {
		return false
	}
	switch earlier.path.kind {
	case pathAny:
		return true
	case pathPrefix:
		if earlier.path.tail != tailAny && earlier.path.tail != tailNoNL || len(earlier.path.pieces) != 1 {
			return false
		}
		lp := later.path
		if lp.kind == pathAny || lp.kind == pathRegexp2 || lp.kind == pathRegexp && lp.literal == "" {
			return false
		}
		return strings.HasPrefix(lp.literal, earlier.path.pieces[0].lit)
	}
	return false
}
