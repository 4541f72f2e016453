package fleet

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// selectSpecs applies --only and --except, then pulls in every dependency
// of what is left: a ship without its database is no use. reasons maps
// each pulled-in name to a selected process that needs it, for the log.
func selectSpecs(all []*spec, only, except []string) ([]*spec, map[string]string, error) {
	tags := map[string]bool{}
	for _, s := range all {
		for _, t := range s.tags {
			tags[t] = true
		}
	}
	for _, t := range slices.Concat(only, except) {
		if !tags[t] {
			known := "none has tags"
			if len(tags) > 0 {
				known = "tags: " + strings.Join(slices.Sorted(maps.Keys(tags)), ", ")
			}
			return nil, nil, fmt.Errorf("fleet: no ship or bay is tagged %q (%s)", t, known)
		}
	}
	hasAny := func(s *spec, want []string) bool {
		return slices.ContainsFunc(s.tags, func(t string) bool { return slices.Contains(want, t) })
	}
	byName := map[string]*spec{}
	chosen := map[string]bool{}
	for _, s := range all {
		byName[s.name] = s
		chosen[s.name] = (len(only) == 0 || hasAny(s, only)) && !hasAny(s, except)
	}
	reasons := map[string]string{}
	var pull func(s *spec)
	pull = func(s *spec) {
		for _, d := range s.deps {
			if !chosen[d] {
				chosen[d] = true
				reasons[d] = s.name
				pull(byName[d])
			}
		}
	}
	for _, s := range all {
		if chosen[s.name] && reasons[s.name] == "" {
			pull(s)
		}
	}
	var out []*spec
	for _, s := range all {
		if chosen[s.name] {
			out = append(out, s)
		}
	}
	return out, reasons, nil
}
