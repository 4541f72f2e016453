package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stagesManifest turns every stage on: a per-IP rate limit, two shields, a
// static directory, the CORS preflight cache and compression, in front of
// one ship. The loopback is a trusted proxy, so that each test can be its
// own client with X-Forwarded-For and the rate limit keeps to its own test
// (the raw requests, which must not add a header, share 127.0.0.1's five).
const stagesManifest = `
[mothership]
compression = true
cors_cache = { default_ttl = "60s" }
rate_limiting = { per_ip_rpm = 5 }
trusted_proxies = ["127.0.0.1"]

[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[mothership.static_dirs]]
path = "./public"
prefix = "/assets"

[[mothership.shields]]
name = "no-llm"
ua_filter = "llm"

[[mothership.shields]]
name = "old-posters"
ja4h_prefix = "po10"
action = "redirect"
location = "/upgrade"

[[fleet.web]]
name = "app"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ pattern = "/.*" }]
`

// startStages runs mothership on stagesManifest with a public directory
// holding app.css, and returns the proxy's base URL.
func startStages(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	writeManifest(t, dir, strings.ReplaceAll(stagesManifest, "HTTPPORT", fmt.Sprint(port)))
	if err := os.Mkdir(filepath.Join(dir, "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "public", "app.css"), "body { color: teal }\n")
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)
	v.waitFor(t, fmt.Sprintf("bind listening bind=http addr=127.0.0.1:%d", port), time.Second)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// client is a test's own client address, given to mothership as
// X-Forwarded-For from the trusted loopback.
type client struct {
	t  *testing.T
	ip string
	hc *http.Client
}

func newE2EClient(t *testing.T, ip string) *client {
	return &client{t: t, ip: ip, hc: &http.Client{
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *client) do(method, url string, header ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-Forwarded-For", c.ip)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return res, string(b)
}

func TestStagesThroughARunningMothership(t *testing.T) {
	base := startStages(t)

	t.Run("rate limit", func(t *testing.T) {
		c := newE2EClient(t, "203.0.113.1")
		for i := range 5 {
			if res, _ := c.do("GET", base+"/hello"); res.StatusCode != http.StatusOK {
				t.Fatalf("request %d within the limit: status %d", i+1, res.StatusCode)
			}
		}
		res, _ := c.do("GET", base+"/hello")
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the 6th request in a minute at per_ip_rpm = 5: status %d, want 429", res.StatusCode)
		}
		if ra := res.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("429 without a useful Retry-After: %q", ra)
		}
		if res, _ := newE2EClient(t, "203.0.113.2").do("GET", base+"/hello"); res.StatusCode != http.StatusOK {
			t.Errorf("another client is limited by the first one's excess: status %d", res.StatusCode)
		}
	})

	t.Run("shields", func(t *testing.T) {
		c := newE2EClient(t, "203.0.113.10")
		if res, _ := c.do("GET", base+"/hello", "User-Agent", "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)"); res.StatusCode != http.StatusForbidden {
			t.Errorf("GPTBot under a ua_filter = \"llm\" shield: status %d, want 403", res.StatusCode)
		}
		// The ship sees the fingerprint of the head as it was sent: Firefox's
		// header order from the spec's vector, which net/http's map loses.
		head := "GET /header?name=X-Ja4h HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n" +
			"Accept: */*\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: identity\r\nConnection: close\r\nReferer: http://example.com/\r\n" +
			"Cookie: rama-fp=ready\r\nDNT: 1\r\nSec-GPC: 1\r\nPriority: u=0, i\r\n\r\n"
		status, body := rawRequest(t, base, head)
		if want := "ge11cr09enus_df50b14dec48_d733b88e2d70_774e52af4cfe"; status != http.StatusOK || body != want {
			t.Errorf("X-Ja4h at the ship: status %d, %q; want %q", status, body, want)
		}
		status, _ = rawRequest(t, base, "POST /form HTTP/1.0\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n")
		if status != http.StatusFound {
			t.Errorf("an HTTP/1.0 POST under a ja4h_prefix = \"po10\" redirect: status %d, want 302", status)
		}
	})

	t.Run("static", func(t *testing.T) {
		c := newE2EClient(t, "203.0.113.20")
		res, body := c.do("GET", base+"/assets/app.css")
		if res.StatusCode != http.StatusOK || body != "body { color: teal }\n" {
			t.Fatalf("GET /assets/app.css: %d %q", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("Content-Type %q, want text/css", ct)
		}
		etag := res.Header.Get("ETag")
		if res, _ := c.do("GET", base+"/assets/app.css", "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
			t.Errorf("conditional GET with ETag %q: status %d, want 304", etag, res.StatusCode)
		}
		if res, body := c.do("GET", base+"/assets/missing.css"); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "app: GET /assets/missing.css") {
			t.Errorf("a missing file does not fall through to the ship: %d %q", res.StatusCode, body)
		}
		status, body := rawRequest(t, base, "GET /assets/%2e%2e/ship-manifest.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if strings.Contains(body, "[mothership") {
			t.Errorf("an encoded .. read the manifest beside the static directory: status %d", status)
		}
	})

	t.Run("cors cache", func(t *testing.T) {
		c := newE2EClient(t, "203.0.113.30")
		preflight := func(ua string) *http.Response {
			res, _ := c.do("OPTIONS", base+"/api/things", "Origin", "https://app.example", "Access-Control-Request-Method", "PUT", "User-Agent", ua)
			if res.StatusCode != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
				t.Fatalf("preflight from %s: %d, Allow-Origin %q", ua, res.StatusCode, res.Header.Get("Access-Control-Allow-Origin"))
			}
			return res
		}
		first, second := preflight("Firefox/133.0"), preflight("Chrome/131.0")
		if got := first.Header.Get("X-Mothership-Cors-Cache"); got != "miss" {
			t.Errorf("first preflight: X-Mothership-Cors-Cache %q, want miss", got)
		}
		if got := second.Header.Get("X-Mothership-Cors-Cache"); got != "hit" {
			t.Errorf("the same preflight from another browser: X-Mothership-Cors-Cache %q, want hit", got)
		}
		if _, n := c.do("GET", base+"/preflights"); n != "1" {
			t.Errorf("two browsers' identical preflights reached the ship %s times, want 1", n)
		}
	})

	t.Run("compression", func(t *testing.T) {
		c := newE2EClient(t, "203.0.113.40")
		res, body := c.do("GET", base+"/text?kb=16", "Accept-Encoding", "br;q=0.5, gzip, deflate;q=0.1")
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("Accept-Encoding preferring gzip: Content-Encoding %q, Vary %q", res.Header.Get("Content-Encoding"), res.Header.Get("Vary"))
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || len(plain) != 16*1024 || !strings.HasPrefix(string(plain), "app says hello") {
			t.Errorf("gunzipped body: %d bytes, %v", len(plain), err)
		}
		if len(body) >= len(plain)/4 {
			t.Errorf("16 KiB of repeated text compressed to %d bytes", len(body))
		}
		if res, _ := c.do("GET", base+"/text?kb=16", "Accept-Encoding", "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" {
			t.Errorf("gzip;q=0: Content-Encoding %q, want none", res.Header.Get("Content-Encoding"))
		}
	})
}

// rawRequest sends head, byte for byte, on a connection of its own and
// returns the status and body.
func rawRequest(t *testing.T, base, head string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", strings.SplitN(head, "\r\n", 2)[0], err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
