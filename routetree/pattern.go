package routetree

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// regexp2Timeout bounds one backtracking match, so that a pathological path
// cannot pin a CPU.
const regexp2Timeout = 50 * time.Millisecond

// pathKind is how a route's path matcher was compiled.
type pathKind uint8

const (
	pathAny     pathKind = iota // no path matcher: every path
	pathExact                   // the trie walk ending on the node is the whole check
	pathPrefix                  // the walk reaching the node, then a check of the tail
	pathRegexp                  // Go regexp over the whole path
	pathRegexp2                 // regexp2 over the whole path, with a timeout
)

// tailKind is what a prefix route requires of the rest of the path.
type tailKind uint8

const (
	tailAny          tailKind = iota // anything, `(?s:.*)`, a glob `/*`, path_prefix
	tailNoNL                         // `.*`: anything without a newline
	tailNoNLNonEmpty                 // `.+`
	tailAnyNonEmpty                  // `(?s:.+)`
)

// piece is one step of a path in the trie: literal bytes or one whole segment.
type piece struct {
	lit   string
	param bool
}

// pathMatcher is a compiled path matcher.
type pathMatcher struct {
	kind   pathKind
	pieces []piece // where the route sits in the trie
	tail   tailKind
	re     *regexp.Regexp
	re2    *regexp2.Regexp
	// literal is the literal prefix every matching path starts with; strip_prefix = true strips it.
	literal string
	// desc is how `chart` shows the matcher.
	desc string
}

// PatternError is an invalid pattern, with the byte offset of the trouble.
type PatternError struct {
	// Pattern is the pattern as written.
	Pattern string
	// Offset is the byte offset of the offending part, -1 when unknown.
	Offset int
	// Reason says what is wrong.
	Reason string
}

// Error formats the error with the offset as a 1-based column.
func (e *PatternError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("invalid pattern %q at column %d: %s", e.Pattern, e.Offset+1, e.Reason)
	}
	return fmt.Sprintf("invalid pattern %q: %s", e.Pattern, e.Reason)
}

// compilePattern compiles an anchored pattern; a trailing `/*` is a glob.
func compilePattern(p string) (pathMatcher, error) {
	src := p
	if strings.HasSuffix(p, "/*") {
		src = p[:len(p)-1] + "(?s:.*)"
	}
	return compileRegexSource(p, src, true)
}

// compilePathRegex compiles WarpDrive's path_regex: searched, not anchored.
func compilePathRegex(p string) (pathMatcher, error) {
	return compileRegexSource(p, p, false)
}

func compilePathPrefix(p string) pathMatcher {
	return pathMatcher{kind: pathPrefix, pieces: []piece{{lit: p}}, tail: tailAny, literal: p, desc: "prefix " + p}
}

func compilePathExact(p string) pathMatcher {
	return pathMatcher{kind: pathExact, pieces: []piece{{lit: p}}, literal: p, desc: "exact " + p}
}

func compileRegexSource(orig, src string, anchored bool) (pathMatcher, error) {
	if !utf8.ValidString(src) {
		return pathMatcher{}, &PatternError{Pattern: orig, Offset: -1, Reason: "not valid UTF-8"}
	}
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return compileRegexp2(orig, src, anchored, err)
	}
	tree = tree.Simplify()
	items := flatten(tree, nil)
	if anchored {
		if m, ok := structural(items); ok {
			m.desc = describe(m)
			return m, nil
		}
	}
	full := src
	if anchored {
		full = `^(?:` + src + `)$`
	}
	re, err := regexp.Compile(full)
	if err != nil {
		return pathMatcher{}, patternError(orig, src, err)
	}
	m := pathMatcher{kind: pathRegexp, re: re, desc: "regexp " + orig}
	// A literal prefix places the route deeper in the trie; an unanchored
	// search has one only when it starts with `^`.
	if anchored || (len(items) > 0 && items[0].Op == syntax.OpBeginText) {
		if m.literal, _ = re.LiteralPrefix(); m.literal != "" {
			m.pieces = []piece{{lit: m.literal}}
		}
	}
	return m, nil
}

// compileRegexp2 takes the patterns RE2 refuses but a backtracking engine
// reads (lookaround, backreferences), and refuses the rest with RE2's error.
func compileRegexp2(orig, src string, anchored bool, reErr error) (pathMatcher, error) {
	var se *syntax.Error
	if !errors.As(reErr, &se) || (se.Code != syntax.ErrInvalidPerlOp && se.Code != syntax.ErrInvalidEscape && se.Code != syntax.ErrInvalidRepeatOp) {
		return pathMatcher{}, patternError(orig, src, reErr)
	}
	full := src
	if anchored {
		full = `\A(?:` + src + `)\z`
	}
	re2, err := regexp2.Compile(full, regexp2.None)
	if err != nil {
		return pathMatcher{}, patternError(orig, src, reErr)
	}
	re2.MatchTimeout = regexp2Timeout
	return pathMatcher{kind: pathRegexp2, re2: re2, desc: "regexp2 " + orig}, nil
}

func patternError(orig, src string, err error) error {
	var se *syntax.Error
	if errors.As(err, &se) {
		off := strings.Index(src, se.Expr)
		if se.Code == syntax.ErrMissingParen {
			off = unclosedParen(src)
		}
		if off >= len(orig) {
			off = -1
		}
		return &PatternError{Pattern: orig, Offset: off, Reason: se.Code.String() + ": `" + se.Expr + "`"}
	}
	return &PatternError{Pattern: orig, Offset: -1, Reason: err.Error()}
}

// unclosedParen returns the offset of the last `(` left open, skipping
// escapes and character classes.
func unclosedParen(src string) int {
	var open []int
	inClass := false
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\\':
			i++
		case inClass:
			inClass = c != ']'
		case c == '[':
			inClass = true
		case c == '(':
			open = append(open, i)
		case c == ')' && len(open) > 0:
			open = open[:len(open)-1]
		}
	}
	if len(open) == 0 {
		return -1
	}
	return open[len(open)-1]
}

// flatten lists the items of a top-level concatenation, looking through
// capture groups, which change nothing about whether a path matches.
func flatten(re *syntax.Regexp, out []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			out = flatten(sub, out)
		}
	case syntax.OpCapture:
		out = flatten(re.Sub[0], out)
	default:
		out = append(out, re)
	}
	return out
}

// structural recognises the patterns the trie can match exactly on its own:
// literals and whole `[^/]+` segments, optionally ending in `.*`-like tails.
func structural(items []*syntax.Regexp) (pathMatcher, bool) {
	if len(items) > 0 && items[0].Op == syntax.OpBeginText {
		items = items[1:]
	}
	if n := len(items); n > 0 && items[n-1].Op == syntax.OpEndText {
		items = items[:n-1]
	}
	m := pathMatcher{kind: pathExact}
	if n := len(items); n > 0 {
		if t, ok := tailOf(items[n-1]); ok {
			m.kind, m.tail = pathPrefix, t
			items = items[:n-1]
		}
	}
	literalDone := false
	for i, it := range items {
		switch {
		case isLiteral(it):
			s := string(it.Rune)
			if k := len(m.pieces); k > 0 && !m.pieces[k-1].param {
				m.pieces[k-1].lit += s
			} else {
				m.pieces = append(m.pieces, piece{lit: s})
			}
			if !literalDone {
				m.literal += s
			}
		case isSegment(it):
			prevSlash := len(m.pieces) > 0 && !m.pieces[len(m.pieces)-1].param && strings.HasSuffix(m.pieces[len(m.pieces)-1].lit, "/")
			next := i + 1
			nextOK := next == len(items) || isLiteral(items[next]) && items[next].Rune[0] == '/'
			if !prevSlash || !nextOK {
				return pathMatcher{}, false
			}
			m.pieces = append(m.pieces, piece{param: true})
			literalDone = true
		case it.Op == syntax.OpEmptyMatch:
		default:
			return pathMatcher{}, false
		}
	}
	if m.kind == pathExact && len(m.pieces) == 0 {
		return pathMatcher{}, false // matches only the empty path; leave it to regexp
	}
	if m.kind == pathPrefix && m.tail != tailAny && len(m.pieces) > 0 && m.pieces[len(m.pieces)-1].param {
		// `[^/]+.*`: the segment may hold a newline the tail may not; regexp decides.
		return pathMatcher{}, false
	}
	return m, true
}

// isLiteral reports whether re is a literal the trie can compare byte by
// byte: case-sensitive, and without U+FFFD, which regexp also matches
// against any invalid UTF-8 byte.
func isLiteral(re *syntax.Regexp) bool {
	return re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase == 0 && !slices.Contains(re.Rune, utf8.RuneError)
}

func tailOf(re *syntax.Regexp) (tailKind, bool) {
	if re.Op != syntax.OpStar && re.Op != syntax.OpPlus {
		return 0, false
	}
	sub := re.Sub[0]
	var any bool
	switch sub.Op {
	case syntax.OpAnyChar:
		any = true
	case syntax.OpAnyCharNotNL:
	default:
		return 0, false
	}
	switch {
	case re.Op == syntax.OpStar && any:
		return tailAny, true
	case re.Op == syntax.OpStar:
		return tailNoNL, true
	case any:
		return tailAnyNonEmpty, true
	default:
		return tailNoNLNonEmpty, true
	}
}

// isSegment reports whether re is `[^/]+`: one or more of anything but a slash.
func isSegment(re *syntax.Regexp) bool {
	if re.Op != syntax.OpPlus || re.Sub[0].Op != syntax.OpCharClass {
		return false
	}
	r := re.Sub[0].Rune
	return len(r) == 4 && r[0] == 0 && r[1] == '/'-1 && r[2] == '/'+1 && r[3] == utf8.MaxRune
}

func describe(m pathMatcher) string {
	var b strings.Builder
	for _, p := range m.pieces {
		if p.param {
			b.WriteString("{seg}")
		} else {
			b.WriteString(p.lit)
		}
	}
	switch m.kind {
	case pathExact:
		if len(m.pieces) == 1 {
			return "exact " + b.String()
		}
		return "segments " + b.String()
	default:
		return "prefix " + b.String() + [...]string{"*", ".*", ".+", "(?s:.+)"}[m.tail]
	}
}

// tailMatches checks the rest of the path against a prefix route's tail.
func tailMatches(t tailKind, rest string) bool {
	switch t {
	case tailAny:
		return true
	case tailNoNL:
		return strings.IndexByte(rest, '\n') < 0
	case tailNoNLNonEmpty:
		return rest != "" && strings.IndexByte(rest, '\n') < 0
	default:
		return rest != ""
	}
}
