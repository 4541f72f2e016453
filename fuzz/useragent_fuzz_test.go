package fuzz

import (
	"testing"

	"github.com/mothership-go/mothership/useragent"
)

// uaSeeds are real User-Agents, one or more of each class, plus edge cases.
var uaSeeds = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; GPTBot/1.1; +https://openai.com/gptbot",
	"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
	"meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
	"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
	"Mozilla/5.0 (compatible; Newsify Feed Fetcher)",
	"Mozilla/5.0 (compatible; AdsBot-Google; +http://www.google.com/adsbot.html)",
	"curl/8.5.0",
	"python-requests/2.31.0",
	"Code/1.0",
	"Xcode/16.0",
	"",
	"foo",
	"\xff\xfe\u212a\u017f",
}

// FuzzClassify checks that Classify never panics, gives the same answer twice, ignores
// ASCII case and everything past 1 KiB, agrees with the class filters, and that no
// "~" filter panics.
func FuzzClassify(f *testing.F) {
	for _, ua := range uaSeeds {
		f.Add(ua, `MyAgent.*`)
	}
	f.Add("MyAgent/1.0", `(?i)^myagent/\d+`)
	f.Add("x", `(`)

	classFilters := map[string]func(useragent.Class) bool{
		"browser":  useragent.Class.IsBrowser,
		"chromium": func(c useragent.Class) bool { return c == useragent.Chromium },
		"firefox":  func(c useragent.Class) bool { return c == useragent.Firefox },
		"safari":   func(c useragent.Class) bool { return c == useragent.Safari },
		"llm":      func(c useragent.Class) bool { return c == useragent.LLM },
		"bot":      func(c useragent.Class) bool { return c == useragent.Bot },
	}

	f.Fuzz(func(t *testing.T, ua, expr string) {
		c := useragent.Classify(ua)
		if again := useragent.Classify(ua); again != c {
			t.Fatalf("Classify(%q) = %v, then %v", ua, c, again)
		}
		if c > useragent.Safari {
			t.Fatalf("Classify(%q) = %v, not a class", ua, c)
		}
		if swapped := useragent.Classify(swapASCIICase(ua)); swapped != c {
			t.Fatalf("Classify(%q) = %v, but %v with ASCII case swapped", ua, c, swapped)
		}
		if len(ua) > 1024 {
			if head := useragent.Classify(ua[:1024]); head != c {
				t.Fatalf("Classify(%q) = %v, but %v for its first 1 KiB", ua, c, head)
			}
		}

		for name, want := range classFilters {
			flt, err := useragent.ParseFilter(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := flt.Match(ua, c); got != want(c) {
				t.Fatalf("filter %s on %q (%v) = %v", name, ua, c, got)
			}
		}

		flt, err := useragent.ParseFilter("~" + expr)
		if err != nil {
			return
		}
		if flt.String() != "~"+expr {
			t.Fatalf("ParseFilter(%q).String() = %q", "~"+expr, flt.String())
		}
		flt.Match(ua, c)
	})
}

func swapASCIICase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] -= 'a' - 'A'
		case 'A' <= c && c <= 'Z':
			b[i] += 'a' - 'A'
		}
	}
	return string(b)
}
