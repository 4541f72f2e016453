package proxy

import (
	"net/http"
	"strings"
	"testing"
)

// TestRobotsTxt checks robots = "llm": /robots.txt lists the llm class's
// crawlers, also to a crawler a shield refuses and on a path no route
// matches; anything else, and a manifest without it, goes to the routes.
func TestRobotsTxt(t *testing.T) {
	backend := startBackend(t, echoHandler("app"))
	shield := "[[mothership.shields]]\nname = \"no-llm\"\nua_filter = \"llm\"\n\n"
	p := startProxy(t, "[mothership]\nrobots = \"llm\"\n\n"+bindOnly+shield+ship("app", backendAddr(backend), `{ path_prefix = "/api" }`))
	c := newClient(t)
	for _, ua := range []string{"Mozilla/5.0 Firefox/133.0", "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"} {
		res, body := do(t, c, "GET", p.url+"/robots.txt", "", http.Header{"User-Agent": {ua}})
		if res.StatusCode != 200 || !strings.Contains(body, "User-agent: GPTBot\n") || !strings.Contains(body, "User-agent: ClaudeBot\n") || !strings.HasSuffix(body, "Disallow: /\n") {
			t.Errorf("GET /robots.txt as %q: %d %q..., want the llm list disallowing /", ua, res.StatusCode, body[:min(80, len(body))])
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("Content-Type %q", ct)
		}
	}
	if res, _ := do(t, c, "GET", p.url+"/api/x", "", http.Header{"User-Agent": {"GPTBot/1.2"}}); res.StatusCode != 403 {
		t.Errorf("GPTBot elsewhere: %d, want the shield's 403", res.StatusCode)
	}
	if res, _ := do(t, c, "GET", p.url+"/api/robots.txt", "", nil); res.Header.Get("X-Backend") != "app" {
		t.Errorf("another path: not answered by the backend")
	}

	plain := startProxy(t, bindOnly+ship("app", backendAddr(backend), `{ path_prefix = "/" }`))
	if res, _ := do(t, newClient(t), "GET", plain.url+"/robots.txt", "", nil); res.Header.Get("X-Backend") != "app" {
		t.Errorf("without robots: /robots.txt was not the backend's")
	}
}
