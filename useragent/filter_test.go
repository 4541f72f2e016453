package useragent

import (
	"strings"
	"testing"
)

func TestParseFilterErrors(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{"unknown name", "browsers", `useragent: unknown ua_filter "browsers" (want browser, chromium, firefox, safari, llm, bot, or ~REGEX)`},
		{"names are lowercase", "Browser", `unknown ua_filter "Browser"`},
		{"unknown is not a filter", "unknown", `unknown ua_filter "unknown"`},
		{"empty", "", `unknown ua_filter ""`},
		{"bad regexp", "~(", "useragent: ua_filter \"~(\": error parsing regexp: missing closing ): `(`"},
		{"empty regexp", "~", "empty regexp"},
	}
	for _, tt := range tests {
		_, err := ParseFilter(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: ParseFilter(%q) error = %v, want it to contain %q", tt.name, tt.in, err, tt.wantErr)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	uas := map[Class]string{
		Unknown:  "foo",
		LLM:      gptBot,
		Bot:      googlebotDesktop,
		Chromium: chromeWindows,
		Firefox:  firefoxWindows,
		Safari:   safariMac,
	}
	tests := []struct {
		filter string
		want   []Class
	}{
		{"browser", []Class{Chromium, Firefox, Safari}},
		{"chromium", []Class{Chromium}},
		{"firefox", []Class{Firefox}},
		{"safari", []Class{Safari}},
		{"llm", []Class{LLM}},
		{"bot", []Class{Bot}},
		{"~Gecko\\)", []Class{LLM, Chromium, Safari}},
		{"~Gptbot", nil}, // case-sensitive
	}
	for _, tt := range tests {
		f, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%s: %v", tt.filter, err)
		}
		if f.String() != tt.filter {
			t.Errorf("%s: String() = %q", tt.filter, f.String())
		}
		for c, ua := range uas {
			want := false
			for _, w := range tt.want {
				want = want || w == c
			}
			if got := f.Match(ua, Classify(ua)); got != want {
				t.Errorf("%s: Match(%s user agent) = %v, want %v", tt.filter, c, got, want)
			}
		}
	}
}

func TestFilterRegexp(t *testing.T) {
	f, err := ParseFilter("~MyAgent.*")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, ua string
		want     bool
	}{
		{"whole", "MyAgent/1.0", true},
		{"unanchored", "Mozilla/5.0 (compatible; MyAgent/2.0)", true},
		{"case-sensitive", "myagent/1.0", false},
		{"absent", chromeWindows, false},
	}
	for _, tt := range tests {
		// The class passed is deliberately wrong: a regexp filter must ignore it.
		if got := f.Match(tt.ua, Bot); got != tt.want {
			t.Errorf("%s: Match(%q) = %v, want %v", tt.name, tt.ua, got, tt.want)
		}
	}
}

func TestZeroFilter(t *testing.T) {
	var f Filter
	for c := Unknown; c <= Safari; c++ {
		if f.Match("x", c) {
			t.Errorf("zero Filter matches class %v", c)
		}
	}
}

func TestFilterMatchAllocs(t *testing.T) {
	for _, s := range []string{"browser", "~MyAgent.*"} {
		f, err := ParseFilter(s)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(1000, func() { f.Match(chromeWindows, Chromium) }); n != 0 {
			t.Errorf("%s: %v allocations per Match, want 0", s, n)
		}
	}
}
