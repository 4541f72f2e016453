package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const accessManifest = `
[mothership]
%s

[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/app/.*" }]
`

// TestAccessLog: each request through the binary gets one access line,
// JSON on stdout with --log-format json, JSON in the file that
// access_log names, the line for people on stdout by default, and none
// with access_log = false; the lines of the last requests are written at
// the landing.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	cases := []struct {
		name, setting string
		args          []string
		file          bool // the JSON lines are in access.log, none on stdout
		off           bool
		text          bool // the line for people on stdout
	}{
		{name: "JSON on stdout", args: []string{"--log-format", "json"}},
		{name: "a file", setting: `access_log = "access.log"`, file: true},
		{name: "text on stdout", text: true},
		{name: "off", setting: "access_log = false", off: true},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		port := freePort(t)
		writeManifest(t, dir, fmt.Sprintf(accessManifest, tc.setting, port))
		v := startRunIn(t, dir, nil, tc.args...)
		v.waitFor(t, "Running", 20*time.Second)
		base := fmt.Sprintf("http://127.0.0.1:%d", port)
		body := getStatus(t, base+"/app/hello?token=secret", 200)
		getStatus(t, base+"/nowhere", 404)
		v.land()
		if code := v.exit(t, 20*time.Second); code != 0 {
			t.Fatalf("%s: exit %d", tc.name, code)
		}
		out := v.output()
		var lines []map[string]any
		switch {
		case tc.text:
			re := regexp.MustCompile(`(?m)^GET 127\.0\.0\.1:\d+ /app/hello 200 (\d+)B [0-9.]+ms ship web client=127\.0\.0\.1 ua=\w+ ja4h=\S* id=([0-9a-f]{16})$`)
			m := re.FindStringSubmatch(out)
			if m == nil || m[1] != fmt.Sprint(len(body)) || !strings.Contains(body, "request "+m[2]) {
				t.Errorf("%s: no line for people for /app/hello with %d bytes and the ship's request id (%q):\n%s", tc.name, len(body), body, out)
			}
			if !regexp.MustCompile(`(?m)^GET 127\.0\.0\.1:\d+ /nowhere 404 \d+B [0-9.]+ms - client=127\.0\.0\.1 `).MatchString(out) {
				t.Errorf("%s: no line for the 404:\n%s", tc.name, out)
			}
			continue
		case tc.file:
			b, err := os.ReadFile(filepath.Join(dir, "access.log"))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			lines = accessLines(t, string(b))
			if strings.Contains(out, "/app/hello") {
				t.Errorf("%s: the access log reached stdout too:\n%s", tc.name, out)
			}
		default:
			lines = accessLines(t, out)
		}
		if tc.off {
			if len(lines) > 0 || strings.Contains(out, "/app/hello") {
				t.Errorf("%s: access lines with access_log = false:\n%s", tc.name, out)
			}
			continue
		}
		if len(lines) != 2 {
			t.Fatalf("%s: %d access lines, want 2:\n%v", tc.name, len(lines), lines)
		}
		hello, miss := lines[0], lines[1]
		want := map[string]any{"method": "GET", "path": "/app/hello", "status": 200.0, "bytes": float64(len(body)), "upstream": "ship web", "client": "127.0.0.1"}
		for k, w := range want {
			if hello[k] != w {
				t.Errorf("%s: %s = %v, want %v", tc.name, k, hello[k], w)
			}
		}
		id, _ := hello["request_id"].(string)
		if !hex16.MatchString(id) || !strings.Contains(body, "request "+id) {
			t.Errorf("%s: request_id %q is not the X-Request-Id the ship got: %q", tc.name, id, body)
		}
		if d, ok := hello["duration_ms"].(float64); !ok || d <= 0 {
			t.Errorf("%s: duration_ms %v", tc.name, hello["duration_ms"])
		}
		for _, k := range []string{"time", "host", "ua", "ja4h"} {
			if _, ok := hello[k].(string); !ok {
				t.Errorf("%s: no %s in %v", tc.name, k, hello)
			}
		}
		if miss["path"] != "/nowhere" || miss["status"] != 404.0 || miss["upstream"] != nil {
			t.Errorf("%s: the 404's line %v", tc.name, miss)
		}
	}
}

// accessLines are the JSON lines of s that are access lines (they have a
// request id), in order.
func accessLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(s, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["request_id"] != nil {
			out = append(out, m)
		}
	}
	return out
}

// getStatus fetches url, checks the status and returns the body.
func getStatus(t *testing.T, url string, status int) string {
	t.Helper()
	code, body := get(t, url)
	if code != status {
		t.Fatalf("GET %s: %d, want %d: %s", url, code, status, body)
	}
	return body
}
