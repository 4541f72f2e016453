package useragent

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// The two lists, vendored with their licences; README.md says where they come from.
var (
	//go:embed data/ai.robots.txt/robots.json
	aiRobotsJSON []byte
	//go:embed data/crawler-user-agents/crawler-user-agents.json
	crawlersJSON []byte
)

// extraBotPatterns are HTTP clients that crawler-user-agents.json lacks. It already has
// curl, wget, python-requests, Go-http-client, okhttp, axios, node-fetch and
// libwww-perl.
var extraBotPatterns = []string{
	`Java/`, // Java's built-in HttpURLConnection and HttpClient: "Java/21.0.2"
}

// llmExclusions are robots.json keys that are not llm tokens.
var llmExclusions = []string{
	// A generic word, even on token boundaries: it names or is in the URL of ordinary
	// search and SEO crawlers ("Sogou web spider", Baiduspider's
	// "+http://www.baidu.com/search/spider.html", "Screaming Frog SEO Spider"), which
	// would all become llm. The AI spiders have tokens of their own (Bytespider,
	// TikTokSpider, ChatGLM-Spider, iaskspider, imageSpider).
	"Spider",
}

// llmTokens returns the keys of robots.json but llmExclusions, sorted so that the
// automaton is built the same way every time.
func llmTokens() ([]string, error) {
	var robots map[string]json.RawMessage
	if err := json.Unmarshal(aiRobotsJSON, &robots); err != nil {
		return nil, fmt.Errorf("useragent: decoding embedded robots.json: %w", err)
	}
	for _, t := range llmExclusions {
		if _, ok := robots[t]; !ok {
			return nil, fmt.Errorf("useragent: excluded llm token %q is not in robots.json", t)
		}
		delete(robots, t)
	}
	return slices.Sorted(maps.Keys(robots)), nil
}

// botPatterns returns the regexps of crawler-user-agents.json followed by
// extraBotPatterns.
func botPatterns() ([]string, error) {
	var crawlers []struct {
		Pattern string `json:"pattern"`
	}
	if err := json.Unmarshal(crawlersJSON, &crawlers); err != nil {
		return nil, fmt.Errorf("useragent: decoding embedded crawler-user-agents.json: %w", err)
	}
	patterns := make([]string, 0, len(crawlers)+len(extraBotPatterns))
	for _, c := range crawlers {
		patterns = append(patterns, c.Pattern)
	}
	return append(patterns, extraBotPatterns...), nil
}

// LLMRobotsTxt is a robots.txt (RFC 9309) with one group that disallows
// everything to every crawler token of the llm class, so that the polite
// AI crawlers are told by the list whose impolite ones a shield blocks.
func LLMRobotsTxt() ([]byte, error) {
	tokens, err := llmTokens()
	if err != nil {
		return nil, err
	}
	b := []byte("# The AI crawlers of ai.robots.txt (github.com/ai-robots-txt/ai.robots.txt, MIT),\n# served by mothership: robots = \"llm\".\n")
	for _, t := range tokens {
		b = append(b, "User-agent: "...)
		b = append(b, t...)
		b = append(b, '\n')
	}
	return append(b, "Disallow: /\n"...), nil
}
