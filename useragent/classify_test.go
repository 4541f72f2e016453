package useragent

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name, ua string
		want     Class
	}{
		{"GPTBot", gptBot, LLM},
		{"ClaudeBot", claudeBot, LLM},
		{"Claude-User", claudeUser, LLM},
		{"PerplexityBot", perplexityBot, LLM},
		{"ChatGPT-User", chatGPTUser, LLM},
		{"meta-externalagent", metaExternalAgent, LLM},
		{"Meta-ExternalAgent", metaExternalAgent2, LLM},
		{"Bytespider", bytespider, LLM},
		{"llm outranks a bot pattern met first", "Googlebot/2.1 GPTBot/1.1", LLM},
		{"token at start and end", "code", LLM},
		{"token before version", "Code/1.0", LLM},
		{"token inside a word", "Xcode/16.0", Unknown},
		{"token prefix of a word", "Codex/0.1", Unknown},

		{"Googlebot desktop", googlebotDesktop, Bot},
		{"Googlebot smartphone", googlebotSmartphone, Bot},
		{"bingbot", bingbot, Bot},
		{"Baiduspider", "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", Bot},
		{"Sogou", "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)", Bot},
		{"Screaming Frog", "Screaming Frog SEO Spider/20.4", Bot},
		{"curl", "curl/8.5.0", Bot},
		{"Wget", "Wget/1.21.4", Bot},
		{"python-requests", "python-requests/2.31.0", Bot},
		{"Go-http-client", "Go-http-client/1.1", Bot},
		{"okhttp", "okhttp/4.12.0", Bot},
		{"axios", "axios/1.7.9", Bot},
		{"node-fetch", "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", Bot},
		{"libwww-perl", "libwww-perl/6.72", Bot},
		{"Java", "Java/21.0.2", Bot},
		{"empty", "", Bot},
		{"anchored pattern not at start", "Mozilla/5.0 mycurl", Unknown},
		{"case-insensitive pattern", "GOOGLEBOT/2.1", Bot},

		{"Chrome Windows", chromeWindows, Chromium},
		{"Chrome macOS", chromeMac, Chromium},
		{"Chrome Android", chromeAndroid, Chromium},
		{"Edge", edgeWindows, Chromium},
		{"Opera", operaWindows, Chromium},
		{"Chrome iOS", chromeIOS, Chromium},
		{"Samsung Internet", samsung, Chromium},
		{"Firefox Windows", firefoxWindows, Firefox},
		{"Firefox Linux", firefoxLinux, Firefox},
		{"Firefox Android", firefoxAndroid, Firefox},
		{"Firefox iOS", firefoxIOS, Firefox},
		{"Safari macOS", safariMac, Safari},
		{"Safari iPhone", safariIPhone, Safari},
		{"old Opera on WebKit", "Mozilla/5.0 (Macintosh) AppleWebKit/537.36 (KHTML, like Gecko) Safari/537.36 Opera/12.0", Chromium},
		{"foo", "foo", Unknown},
	}
	for _, tt := range tests {
		if got := Classify(tt.ua); got != tt.want {
			t.Errorf("%s: Classify(%q) = %v, want %v", tt.name, tt.ua, got, tt.want)
		}
	}
}

func TestBrowsersAreBrowsers(t *testing.T) {
	for _, ua := range browsers() {
		if c := Classify(ua); !c.IsBrowser() {
			t.Errorf("%s: got %v, want a browser class", ua, c)
		}
	}
}

// TestNoTokenInBrowsers checks the lists themselves rather than Classify, so that a
// token that appeared in a browser User-Agent only off a boundary, or a pattern
// outranked by a browser test, still shows up here when the lists are updated.
func TestNoTokenInBrowsers(t *testing.T) {
	tokens, err := llmTokens()
	if err != nil {
		t.Fatal(err)
	}
	m := loadMatcher()
	for _, ua := range browsers() {
		lower := strings.ToLower(ua)
		for _, tok := range tokens {
			if strings.Contains(lower, strings.ToLower(tok)) {
				t.Errorf("llm token %q: occurs in browser %q", tok, ua)
			}
		}
		if c, _ := m.match(ua); c != Unknown {
			t.Errorf("browser %q: llm/bot matcher says %v", ua, c)
		}
	}
}

// TestListInstances runs every example User-Agent in crawler-user-agents.json: each
// matches its own pattern, so it must come out as a bot, or as llm where ai.robots.txt
// also names it.
func TestListInstances(t *testing.T) {
	var crawlers []struct {
		Pattern   string   `json:"pattern"`
		Instances []string `json:"instances"`
	}
	if err := json.Unmarshal(crawlersJSON, &crawlers); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range crawlers {
		for _, ua := range c.Instances {
			if len(ua) > maxScanLen {
				continue
			}
			n++
			if got := Classify(ua); got != Bot && got != LLM {
				t.Errorf("pattern %q: Classify(%q) = %v, want bot or llm", c.Pattern, ua, got)
			}
		}
	}
	if n < 1000 {
		t.Errorf("only %d instances checked; is the list embedded?", n)
	}
}

func TestLongUserAgent(t *testing.T) {
	pad := strings.Repeat("x", maxScanLen)
	tests := []struct {
		name, ua string
		want     Class
	}{
		{"token past the scan limit", pad + " GPTBot/1.1", Unknown},
		{"token before the limit", "GPTBot/1.1 " + pad, LLM},
		{"token ending at the limit", pad[:maxScanLen-7] + " GPTBot/1.1", LLM},
		{"token cut by the limit", pad[:maxScanLen-6] + " GPTBot/1.1", Unknown},
		{"browser word past 512 bytes", pad[:browserScanLen] + " Firefox/133.0", Unknown},
		{"browser word before 512 bytes", "Firefox/133.0 " + pad, Firefox},
	}
	for _, tt := range tests {
		if got := Classify(tt.ua); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClassString(t *testing.T) {
	tests := []struct {
		c       Class
		want    string
		browser bool
	}{
		{Unknown, "unknown", false},
		{LLM, "llm", false},
		{Bot, "bot", false},
		{Chromium, "chromium", true},
		{Firefox, "firefox", true},
		{Safari, "safari", true},
		{Class(42), "Class(42)", false},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%s: String() = %q", tt.want, got)
		}
		if got := tt.c.IsBrowser(); got != tt.browser {
			t.Errorf("%s: IsBrowser() = %v", tt.want, got)
		}
	}
}

func TestClassifyAllocs(t *testing.T) {
	loadMatcher() // build the matcher outside the measurement
	for _, tt := range []struct{ name, ua string }{
		{"Chrome", chromeWindows},
		{"GPTBot", gptBot},
		{"Googlebot", googlebotSmartphone},
		{"Automaton regexp", "Mozilla/5.0 (compatible; Newsify Feed Fetcher)"},
	} {
		if n := testing.AllocsPerRun(1000, func() { Classify(tt.ua) }); n != 0 {
			t.Errorf("%s: %v allocations per Classify, want 0", tt.name, n)
		}
	}
}

func TestMatcherBuilds(t *testing.T) {
	m, err := newMatcher()
	if err != nil {
		t.Fatal(err)
	}
	// Every bot pattern of today's list has a literal; a pattern without one still
	// works, through m.always, but costs a regexp run on every request.
	if len(m.always) != 0 {
		t.Errorf("%d bot patterns have no literal to index them by: %v", len(m.always), m.always)
	}
}
