package useragent

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Filter is a compiled ua_filter value: a class name or "~" and a regexp. The zero
// Filter matches nothing.
type Filter struct {
	src     string
	classes uint8 // bit c set: Class c matches
	re      *regexp.Regexp
}

var filterClasses = map[string]uint8{
	"browser":  1<<Chromium | 1<<Firefox | 1<<Safari,
	"chromium": 1 << Chromium,
	"firefox":  1 << Firefox,
	"safari":   1 << Safari,
	"llm":      1 << LLM,
	"bot":      1 << Bot,
}

const filterNames = "browser, chromium, firefox, safari, llm, bot, or ~REGEX"

// ParseFilter compiles a ua_filter value: one of "browser" (any of the three browser
// classes), "chromium", "firefox", "safari", "llm" or "bot"; or "~" followed by a Go
// regexp, matched case-sensitively and unanchored against the raw, untruncated
// User-Agent ("(?i)" and "^" in the regexp change that).
func ParseFilter(s string) (Filter, error) {
	if expr, ok := strings.CutPrefix(s, "~"); ok {
		if expr == "" {
			// It would match every User-Agent, which is almost certainly not what
			// was meant.
			return Filter{}, errors.New(`useragent: ua_filter "~" has an empty regexp`)
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return Filter{}, fmt.Errorf("useragent: ua_filter %q: %w", s, err)
		}
		return Filter{src: s, re: re}, nil
	}
	classes, ok := filterClasses[s]
	if !ok {
		return Filter{}, fmt.Errorf("useragent: unknown ua_filter %q (want %s)", s, filterNames)
	}
	return Filter{src: s, classes: classes}, nil
}

// Match reports whether the User-Agent ua, whose class c the caller has computed once
// with Classify, passes the filter. A regexp filter looks only at ua.
func (f Filter) Match(ua string, c Class) bool {
	if f.re != nil {
		return f.re.MatchString(ua)
	}
	return f.classes&(1<<c) != 0
}

// String returns the ua_filter value the Filter was parsed from.
func (f Filter) String() string {
	return f.src
}
