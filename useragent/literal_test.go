package useragent

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestCompileBot(t *testing.T) {
	tests := []struct {
		pattern string
		lits    []string
		regexp  bool // whether a hit needs confirming
	}{
		{`Googlebot\/`, []string{"googlebot/"}, false},
		{`[wW]get`, []string{"wget"}, false},
		{`(sistrix|SISTRIX) [cC]rawler`, []string{"sistrix crawler"}, true},
		{`^curl`, []string{"curl"}, true},
		{`Ahrefs(Bot|SiteAudit)`, []string{"ahrefs"}, true},
		{`Automaton|Newsify Feed Fetcher`, []string{"automaton", "newsify feed fetcher"}, true},
		{`Spider[\s\S]*spider\.com`, []string{"spider.com"}, true},
		{`BlogTraffic\/\d\.\d+ Feed-Fetcher`, []string{" feed-fetcher"}, true},
		{`AdsBot-Google([^-]|$)`, []string{"adsbot-google"}, true},
		{`x+yz`, []string{"xyz"}, true},
		{`[kK]angaroo [Bb]ot`, []string{"kangaroo bot"}, true},
		{`é+tude`, []string{"tude"}, true}, // é has cases, so no one spelling of it
		{`☃+man`, []string{"☃man"}, true},
		{`(abcd|abxd)e`, []string{"ab"}, true},
		{`.*`, nil, true},
		{`a?`, nil, true},
	}
	for _, tt := range tests {
		re, lits, err := compileBot(tt.pattern)
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		if !slices.Equal(lits, tt.lits) {
			t.Errorf("%s: literals %q, want %q", tt.pattern, lits, tt.lits)
		}
		if (re != nil) != tt.regexp {
			t.Errorf("%s: regexp %v, want one: %v", tt.pattern, re, tt.regexp)
		}
	}
}

// TestLiteralsAreRequired checks the literal analysis against the list: for every
// example User-Agent that a pattern matches, one of its literals must be in it, or the
// automaton would never ask the pattern.
func TestLiteralsAreRequired(t *testing.T) {
	var crawlers []struct {
		Pattern   string   `json:"pattern"`
		Instances []string `json:"instances"`
	}
	if err := json.Unmarshal(crawlersJSON, &crawlers); err != nil {
		t.Fatal(err)
	}
	for _, c := range crawlers {
		re, lits, err := compileBot(c.Pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, ua := range c.Instances {
			lower := strings.Map(lowerASCII, ua)
			found := slices.ContainsFunc(lits, func(l string) bool { return strings.Contains(lower, l) })
			if matched := re == nil && found || re != nil && re.MatchString(ua); matched && !found {
				t.Errorf("pattern %q matches %q, which has none of %q", c.Pattern, ua, lits)
			}
		}
	}
}
