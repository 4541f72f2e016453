package useragent

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// matcher finds a User-Agent's llm tokens, bot patterns and browser words in one pass
// of an automaton over a required literal of every entry, and runs a bot pattern's
// regexp only when its literal is present: trying some 1,500 regexps in turn would
// cost far more than the request being routed.
type matcher struct {
	ac      *automaton
	entries []entry
	always  []*regexp.Regexp // bot patterns with no literal to index them by
}

type entryKind uint8

const (
	llmToken entryKind = iota
	botPattern
	browserWord
)

type entry struct {
	kind entryKind
	n    int            // llmToken: the token's length, to find where it starts
	re   *regexp.Regexp // botPattern: confirms a hit; nil when the literal is the whole pattern
	word uint8          // browserWord: its bit in the set browserKind reads
}

// loadMatcher builds the matcher on first use, so that programs which never classify
// do not pay for decoding the lists.
var loadMatcher = sync.OnceValue(func() *matcher {
	m, err := newMatcher()
	if err != nil {
		// The lists are embedded, so this is a build defect that the tests catch.
		panic(err)
	}
	return m
})

func newMatcher() (*matcher, error) {
	tokens, err := llmTokens()
	if err != nil {
		return nil, err
	}
	patterns, err := botPatterns()
	if err != nil {
		return nil, err
	}
	m := &matcher{}
	var lits []acLiteral
	add := func(e entry, anyOf ...string) {
		for _, lit := range anyOf {
			lits = append(lits, acLiteral{lit, int32(len(m.entries))})
		}
		m.entries = append(m.entries, e)
	}
	for _, t := range tokens {
		add(entry{kind: llmToken, n: len(t)}, strings.Map(lowerASCII, t))
	}
	for _, p := range patterns {
		re, anyOf, err := compileBot(p)
		if err != nil {
			return nil, err
		}
		if anyOf == nil {
			m.always = append(m.always, re)
			continue
		}
		add(entry{kind: botPattern, re: re}, anyOf...)
	}
	for i, w := range browserWords {
		add(entry{kind: browserWord, word: 1 << i}, w)
	}
	if m.ac, err = newAutomaton(lits); err != nil {
		return nil, err
	}
	return m, nil
}

// compileBot compiles a crawler-user-agents pattern case-insensitively and returns the
// literals one of which every match contains. The regexp is nil when the pattern is a
// plain literal, so that finding the literal is finding a match.
func compileBot(pattern string) (*regexp.Regexp, []string, error) {
	tree, err := syntax.Parse(pattern, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, nil, fmt.Errorf("useragent: bot pattern %q: %w", pattern, err)
	}
	info := requiredLiterals(tree)
	if tree.Op == syntax.OpLiteral && tree.Flags&syntax.FoldCase != 0 && info.exact && info.lit != "" {
		return nil, info.anyOf, nil
	}
	re, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, nil, fmt.Errorf("useragent: bot pattern %q: %w", pattern, err)
	}
	return re, info.anyOf, nil
}

// match returns LLM or Bot if ua, which the caller has already truncated, is one, and
// otherwise Unknown and the browserWords found in its first browserScanLen bytes.
func (m *matcher) match(ua string) (c Class, words uint8) {
	bot := false
	s := int32(0)
	for i := 0; i < len(ua); i++ {
		s = m.ac.next(s, ua[i])
		for _, id := range m.ac.hitsAt(s) {
			switch e := &m.entries[id]; e.kind {
			case llmToken:
				if isToken(ua, i+1-e.n, i+1) {
					return LLM, 0
				}
			case botPattern:
				// Keep scanning once this confirms: an llm token further on still
				// outranks it.
				bot = bot || e.re == nil || e.re.MatchString(ua)
			case browserWord:
				if i < browserScanLen {
					words |= e.word
				}
			}
		}
	}
	if bot {
		return Bot, 0
	}
	for _, re := range m.always {
		if re.MatchString(ua) {
			return Bot, 0
		}
	}
	return Unknown, words
}

// isToken reports whether ua[start:end] stands on its own: no ASCII letter or digit
// touches it on either side. Punctuation inside a token (Meta-ExternalAgent) is part of
// the literal, and the "/version" or ";" that follows a product name is a boundary, so
// GPTBot/1.1 is found but Xcode and Codex do not contain Code.
func isToken(ua string, start, end int) bool {
	return (start == 0 || !isAlnum(ua[start-1])) && (end == len(ua) || !isAlnum(ua[end]))
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
