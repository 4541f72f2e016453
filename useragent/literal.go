package useragent

import (
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// litInfo is what every match of a regexp is known to contain, in the lowercase ASCII
// the automaton looks for.
type litInfo struct {
	exact  bool     // every match is lit, ASCII case aside
	lit    string   // valid when exact
	prefix string   // every match starts with prefix
	suffix string   // every match ends with suffix
	anyOf  []string // every match contains at least one of these; nil if nothing is known
}

func exactInfo(s string) litInfo {
	return litInfo{exact: true, lit: s, prefix: s, suffix: s, anyOf: single(s)}
}

func single(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// requiredLiterals analyses a regexp parsed with syntax.FoldCase, the way the bot
// patterns are compiled.
func requiredLiterals(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return exactInfo("")
	case syntax.OpLiteral:
		xs := make([]litInfo, len(re.Rune))
		for i, r := range re.Rune {
			xs[i] = runeInfo(r, re.Flags&syntax.FoldCase != 0)
		}
		return concatInfo(xs)
	case syntax.OpCharClass:
		if r, ok := foldOrbit(re.Rune); ok {
			return runeInfo(r, true)
		}
	case syntax.OpCapture:
		return requiredLiterals(re.Sub[0])
	case syntax.OpConcat:
		return concatInfo(subInfos(re.Sub))
	case syntax.OpAlternate:
		return alternateInfo(subInfos(re.Sub))
	case syntax.OpPlus:
		return atLeastOnce(requiredLiterals(re.Sub[0]))
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return atLeastOnce(requiredLiterals(re.Sub[0]))
		}
	}
	// Everything else (assertions, stars, any-char, ...) may match text that contains
	// nothing in particular, or nothing at all.
	return litInfo{}
}

func subInfos(subs []*syntax.Regexp) []litInfo {
	xs := make([]litInfo, len(subs))
	for i, sub := range subs {
		xs[i] = requiredLiterals(sub)
	}
	return xs
}

// runeInfo describes the rune r, matched in any case if fold. Only ASCII case is
// followed, as the automaton lowercases ASCII only: (?i) also lets k match the Kelvin
// sign and s the long s, but a user agent spelling a crawler's name with those is not
// worth a slower scan. A non-ASCII rune with other cases has no single spelling to
// look for, so it requires nothing.
func runeInfo(r rune, fold bool) litInfo {
	switch {
	case r < utf8.RuneSelf:
		return exactInfo(string(lowerASCII(r)))
	case !fold || unicode.SimpleFold(r) == r:
		return exactInfo(string(r))
	}
	return litInfo{}
}

// foldOrbit reports whether the class ranges r are exactly one rune and its other
// cases, as (?i) compiles a letter into a class ([Kk\x{212A}] for k), and returns
// that rune.
func foldOrbit(r []rune) (rune, bool) {
	size := 0
	for i := 0; i+1 < len(r); i += 2 {
		size += int(r[i+1]-r[i]) + 1
		if size > 4 { // the largest orbit in Unicode
			return 0, false
		}
	}
	if size == 0 {
		return 0, false
	}
	c, n := r[0], 1
	for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
		if !inClass(f, r) {
			return 0, false
		}
		n++
	}
	return c, n == size
}

func inClass(c rune, r []rune) bool {
	for i := 0; i+1 < len(r); i += 2 {
		if r[i] <= c && c <= r[i+1] {
			return true
		}
	}
	return false
}

// atLeastOnce describes x repeated one or more times: what one copy needs, the whole
// needs, but it is no longer exact.
func atLeastOnce(x litInfo) litInfo {
	return litInfo{prefix: x.prefix, suffix: x.suffix, anyOf: x.anyOf}
}

func concatInfo(xs []litInfo) litInfo {
	var out litInfo
	run := "" // text that every match has just before the current position
	exact := true
	for _, x := range xs {
		if x.exact {
			run += x.lit
			continue
		}
		if exact {
			out.prefix = run + x.prefix
			exact = false
		}
		out.anyOf = better(out.anyOf, single(run+x.prefix))
		out.anyOf = better(out.anyOf, x.anyOf)
		run = x.suffix
	}
	if exact {
		return exactInfo(run)
	}
	out.suffix = run
	out.anyOf = better(out.anyOf, single(run))
	return out
}

func alternateInfo(xs []litInfo) litInfo {
	if !slices.ContainsFunc(xs, func(x litInfo) bool { return !x.exact || x.lit != xs[0].lit }) {
		return exactInfo(xs[0].lit)
	}
	out := litInfo{prefix: xs[0].prefix, suffix: xs[0].suffix}
	var union []string
	complete := true // every branch requires something, so the union is required
	for _, x := range xs {
		out.prefix = commonPrefix(out.prefix, x.prefix)
		out.suffix = commonSuffix(out.suffix, x.suffix)
		complete = complete && x.anyOf != nil
		union = append(union, x.anyOf...)
	}
	if !complete {
		union = nil
	}
	out.anyOf = better(better(union, single(out.prefix)), single(out.suffix))
	return out
}

// better returns the more selective of two any-of sets: the one whose shortest literal
// is longest, since a short literal makes the automaton fire on more user agents.
func better(a, b []string) []string {
	if score(b) > score(a) {
		return b
	}
	return a
}

func score(set []string) int {
	if set == nil {
		return -1
	}
	n := len(set[0])
	for _, s := range set[1:] {
		n = min(n, len(s))
	}
	return n
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

func commonSuffix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return a[len(a)-n:]
}

func lowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}
