package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/testfs"
)

const secretText = "TOP-SECRET-do-not-serve"

// staticTree lays out a static root, an assets root and a secret outside
// both, and returns the roots.
func staticTree(t *testing.T) (public, assets string) {
	t.Helper()
	base := t.TempDir()
	public = filepath.Join(base, "public")
	assets = filepath.Join(base, "assets")
	files := map[string]string{
		"secret.txt":                secretText,
		"public/index.html":         "<h1>home</h1>",
		"public/app.js":             "console.log('public')",
		"public/style.css":          "body{}",
		"public/data.json":          `{"a":1}`,
		"public/img.png":            "\x89PNG\r\n\x1a\nnotreally",
		"public/range.txt":          "0123456789abcdef",
		"public/docs/index.html":    "<h1>docs</h1>",
		"public/sub/hidden.txt":     "in sub",
		"public/api/data.json":      `{"static":true}`,
		"public/pre.js":             "plain-pre",
		"public/pre.js.br":          "BROTLI-BYTES",
		"public/pre.js.gz":          "GZIP-BYTES",
		"public/pre.js.zst":         "ZSTD-BYTES",
		"public/a/b":                "a-b",
		"public/secret..like.txt":   "dots in a name are fine",
		"assets/app.js":             "console.log('assets')",
		"public/assets/app.js":      "shadowed by the assets dir",
		"public/onlygz.txt":         "plain-onlygz",
		"public/onlygz.txt.gz":      "GZ-ONLY",
		"public/deep/dir/file.html": "<p>deep</p>",
		"public/font.woff2":         "wOF2",
		"public/mod.wasm":           "\x00asm\x01\x00\x00\x00",
		"public/noext":              "<!DOCTYPE html><p>sniffed</p>",
	}
	testfs.Lay(t, base, files, map[string]string{
		"public/link-out":     "../secret.txt",
		"public/link-abs":     filepath.Join(base, "secret.txt"),
		"public/dir-out":      "..",
		"public/link-in":      "app.js",
		"public/sub/link-up":  "../app.js",
		"public/sub/link-top": "../../secret.txt",
	})
	return public, assets
}

// staticDoc is a manifest serving public under / and assets under
// /assets, with one route, /api, to backend.
func staticDoc(public, assets, backend string) string {
	return bindOnly +
		"[[mothership.static_dirs]]\npath = \"" + public + "\"\nprefix = \"/\"\n\n" +
		"[[mothership.static_dirs]]\npath = \"" + assets + "\"\nprefix = \"/assets\"\n\n" +
		ship("app", backend, `{ path_prefix = "/api" }`)
}

// rawGet sends a request line as given, so that no client cleans the
// path, and reads the answer.
func rawGet(t *testing.T, addr, method, target string, header string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n%s\r\n", method, target, header)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestStaticPathSafety(t *testing.T) {
	public, assets := staticTree(t)
	backend := startBackend(t, echoHandler("app"))
	p := startProxy(t, staticDoc(public, assets, backendAddr(backend)))
	for _, tc := range []struct {
		name, target string
	}{
		{"dot-dot", "/../secret.txt"},
		{"dot-dot twice", "/../../secret.txt"},
		{"dot-dot under a dir", "/sub/../../secret.txt"},
		{"encoded dot-dot", "/%2e%2e/secret.txt"},
		{"encoded dot-dot and slash", "/%2E%2E%2Fsecret.txt"},
		{"encoded slash after dot-dot", "/..%2fsecret.txt"},
		{"backslashes", `/a\..\..\secret.txt`},
		{"encoded backslashes", "/..%5c..%5csecret.txt"},
		{"dot-dot under the assets prefix", "/assets/../secret.txt"},
		{"encoded dot-dot under the assets prefix", "/assets/%2e%2e/secret.txt"},
		{"symlink out of the root", "/link-out"},
		{"absolute symlink out of the root", "/link-abs"},
		{"symlinked directory out of the root", "/dir-out/secret.txt"},
		{"symlink in a subdirectory out of the root", "/sub/link-top"},
		{"NUL", "/app.js%00.txt"},
		{"double slash", "//secret.txt"},
		{"dot segment", "/./app.js"},
		{"absolute-form target", "http://site.test/../secret.txt"},
	} {
		for _, method := range []string{"GET", "HEAD"} {
			res, body := rawGet(t, p.addr, method, tc.target, "")
			if strings.Contains(body, secretText) {
				t.Errorf("%s: %s %s served the secret (status %d)", tc.name, method, tc.target, res.StatusCode)
			}
			if res.StatusCode == http.StatusOK && res.Header.Get("Etag") != "" {
				t.Errorf("%s: %s %s: served a file: %d %q", tc.name, method, tc.target, res.StatusCode, body)
			}
		}
	}
	// Symlinks that stay inside the root are followed.
	for _, tc := range []struct{ name, target, want string }{
		{"symlink in the root", "/link-in", "console.log('public')"},
		{"symlink to a parent that stays in the root", "/sub/link-up", "console.log('public')"},
		{"two dots inside a name", "/secret..like.txt", "dots in a name are fine"},
	} {
		res, body := rawGet(t, p.addr, "GET", tc.target, "")
		if res.StatusCode != 200 || body != tc.want {
			t.Errorf("%s: GET %s: %d %q, want 200 %q", tc.name, tc.target, res.StatusCode, body, tc.want)
		}
	}
}

func TestStaticServing(t *testing.T) {
	public, assets := staticTree(t)
	backend := startBackend(t, echoHandler("app"))
	p := startProxy(t, staticDoc(public, assets, backendAddr(backend)))
	c := newClient(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for _, tc := range []struct {
		name, method, path string
		header             http.Header
		status             int
		body               string // exact, when set
		ctype              string // prefix, when set
		encoding           string
		backend            bool // answered by the route's backend
		location           string
	}{
		{name: "index.html for the root", method: "GET", path: "/", status: 200, body: "<h1>home</h1>", ctype: "text/html"},
		{name: "index.html for a directory", method: "GET", path: "/docs/", status: 200, body: "<h1>docs</h1>", ctype: "text/html"},
		{name: "directory without its slash redirects", method: "GET", path: "/docs?x=1", status: 301, location: "/docs/?x=1"},
		{name: "no listing for a directory without index.html", method: "GET", path: "/sub/", status: 404},
		{name: "no listing without the slash either", method: "GET", path: "/sub", status: 404},
		{name: "a file is not a directory", method: "GET", path: "/app.js/", status: 404},
		{name: "javascript", method: "GET", path: "/app.js", status: 200, body: "console.log('public')", ctype: "javascript"},
		{name: "css", method: "GET", path: "/style.css", status: 200, ctype: "text/css"},
		{name: "json", method: "GET", path: "/data.json", status: 200, ctype: "application/json"},
		{name: "png", method: "GET", path: "/img.png", status: 200, ctype: "image/png"},
		{name: "nested file", method: "GET", path: "/deep/dir/file.html", status: 200, body: "<p>deep</p>", ctype: "text/html"},
		{name: "HEAD has no body", method: "HEAD", path: "/app.js", status: 200, body: "", ctype: "javascript"},
		{name: "longest prefix wins", method: "GET", path: "/assets/app.js", status: 200, body: "console.log('assets')"},
		{name: "missing file, no route: 404", method: "GET", path: "/missing.txt", status: 404},
		{name: "missing under the assets prefix, no route: 404", method: "GET", path: "/assets/missing.js", status: 404},
		{name: "missing file falls through to the route", method: "GET", path: "/api/users", status: 200, backend: true},
		{name: "a file under a route's path is served first", method: "GET", path: "/api/data.json", status: 200, body: `{"static":true}`},
		{name: "POST falls through to the route", method: "POST", path: "/api/data.json", status: 200, backend: true},
		{name: "POST with no route: 404", method: "POST", path: "/app.js", status: 404},
		{name: "Range", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=2-5"}}, status: 206, body: "2345"},
		{name: "unsatisfiable Range", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=100-"}}, status: 416},
		{name: "suffix Range", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=-3"}}, status: 206, body: "def"},
		{name: "open Range", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=14-"}}, status: 206, body: "ef"},
		{name: "Range past the end is cut", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=10-99"}}, status: 206, body: "abcdef"},
		{name: "several ranges", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=0-1,4-5"}}, status: 206, ctype: "multipart/byteranges"},
		{name: "overlapping ranges are merged into one part", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=0-15,1-15"}}, status: 206, body: "0123456789abcdef"},
		{name: "malformed Range", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=5-2"}}, status: 416},
		{name: "another unit is ignored", method: "GET", path: "/range.txt", header: http.Header{"Range": {"lines=1-2"}}, status: 200, body: "0123456789abcdef"},
		{name: "HEAD ignores Range", method: "HEAD", path: "/range.txt", header: http.Header{"Range": {"bytes=2-5"}}, status: 200, body: ""},
		{name: "If-Range with another ETag: whole file", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=2-5"}, "If-Range": {`"old"`}}, status: 200, body: "0123456789abcdef"},
		{name: "If-Range with an old date: whole file", method: "GET", path: "/range.txt", header: http.Header{"Range": {"bytes=2-5"}, "If-Range": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, status: 200, body: "0123456789abcdef"},
		{name: "If-Match another ETag: 412", method: "GET", path: "/app.js", header: http.Header{"If-Match": {`"other"`}}, status: 412},
		{name: "If-Match *: 200", method: "GET", path: "/app.js", header: http.Header{"If-Match": {"*"}}, status: 200, body: "console.log('public')"},
		{name: "If-Unmodified-Since long ago: 412", method: "GET", path: "/app.js", header: http.Header{"If-Unmodified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, status: 412},
		{name: "If-None-Match *: 304", method: "GET", path: "/app.js", header: http.Header{"If-None-Match": {"*"}}, status: 304},
		{name: "If-None-Match wins over If-Modified-Since", method: "GET", path: "/app.js", header: http.Header{"If-None-Match": {`"other"`}, "If-Modified-Since": {time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}, status: 200},
		{name: "woff2 typed without the system table", method: "GET", path: "/font.woff2", status: 200, ctype: "font/woff2"},
		{name: "wasm typed", method: "GET", path: "/mod.wasm", status: 200, ctype: "application/wasm"},
		{name: "unknown extension sniffed", method: "GET", path: "/noext", status: 200, ctype: "text/html"},
		{name: "If-Modified-Since in the future: 304", method: "GET", path: "/app.js", header: http.Header{"If-Modified-Since": {time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}, status: 304},
		{name: "If-Modified-Since long ago: 200", method: "GET", path: "/app.js", header: http.Header{"If-Modified-Since": {"Mon, 02 Jan 2006 15:04:05 GMT"}}, status: 200},
		{name: "br sibling", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"gzip, br"}}, status: 200, body: "BROTLI-BYTES", encoding: "br", ctype: "javascript"},
		{name: "gz sibling", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"gzip"}}, status: 200, body: "GZIP-BYTES", encoding: "gzip", ctype: "javascript"},
		{name: "zst sibling", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"gzip, zstd"}}, status: 200, body: "ZSTD-BYTES", encoding: "zstd", ctype: "javascript"},
		{name: "br refused", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"br;q=0, gzip"}}, status: 200, body: "GZIP-BYTES", encoding: "gzip"},
		{name: "gzip preferred by q", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"br;q=0.5, gzip"}}, status: 200, body: "GZIP-BYTES", encoding: "gzip"},
		{name: "no coding accepted", method: "GET", path: "/pre.js", header: http.Header{"Accept-Encoding": {"identity"}}, status: 200, body: "plain-pre"},
		{name: "only a gz sibling, br asked", method: "GET", path: "/onlygz.txt", header: http.Header{"Accept-Encoding": {"br"}}, status: 200, body: "plain-onlygz"},
		{name: "only a gz sibling, both asked", method: "GET", path: "/onlygz.txt", header: http.Header{"Accept-Encoding": {"br, gzip"}}, status: 200, body: "GZ-ONLY", encoding: "gzip", ctype: "text/plain"},
	} {
		h := tc.header
		if h == nil {
			h = http.Header{}
		}
		if h.Get("Accept-Encoding") == "" {
			h.Set("Accept-Encoding", "identity") // keep the client from asking gzip
		}
		res, body := do(t, c, tc.method, p.url+tc.path, "", h)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %s %s: status %d, want %d (body %q)", tc.name, tc.method, tc.path, res.StatusCode, tc.status, body)
			continue
		}
		if tc.body != "" || tc.method == "HEAD" {
			if body != tc.body {
				t.Errorf("%s: body %q, want %q", tc.name, body, tc.body)
			}
		}
		if tc.ctype != "" && !strings.Contains(res.Header.Get("Content-Type"), tc.ctype) {
			t.Errorf("%s: Content-Type %q, want %q", tc.name, res.Header.Get("Content-Type"), tc.ctype)
		}
		if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
			t.Errorf("%s: Content-Encoding %q, want %q", tc.name, got, tc.encoding)
		}
		if got := res.Header.Get("X-Backend") == "app"; got != tc.backend {
			t.Errorf("%s: answered by the backend: %v, want %v", tc.name, got, tc.backend)
		}
		if tc.location != "" && res.Header.Get("Location") != tc.location {
			t.Errorf("%s: Location %q, want %q", tc.name, res.Header.Get("Location"), tc.location)
		}
		if tc.status == 200 && !tc.backend {
			if res.Header.Get("Etag") == "" || res.Header.Get("Last-Modified") == "" {
				t.Errorf("%s: no ETag or Last-Modified: %v", tc.name, res.Header)
			}
			if !strings.Contains(strings.Join(res.Header["Vary"], ","), "Accept-Encoding") {
				t.Errorf("%s: no Vary: Accept-Encoding", tc.name)
			}
		}
	}

	// Conditional requests against the ETag, for each representation.
	etags := map[string]bool{}
	for _, ae := range []string{"identity", "gzip", "br", "zstd"} {
		res, _ := do(t, c, "GET", p.url+"/pre.js", "", http.Header{"Accept-Encoding": {ae}})
		etag := res.Header.Get("Etag")
		if etag == "" || etags[etag] {
			t.Errorf("ETag for %s: %q, want one of its own", ae, etag)
		}
		etags[etag] = true
		res, body := do(t, c, "GET", p.url+"/pre.js", "", http.Header{"Accept-Encoding": {ae}, "If-None-Match": {etag}})
		if res.StatusCode != 304 || body != "" {
			t.Errorf("If-None-Match (%s): %d %q, want 304", ae, res.StatusCode, body)
		}
		res, _ = do(t, c, "GET", p.url+"/pre.js", "", http.Header{"Accept-Encoding": {ae}, "If-None-Match": {`"other"`}})
		if res.StatusCode != 200 {
			t.Errorf("If-None-Match another ETag (%s): %d, want 200", ae, res.StatusCode)
		}
	}
}

// TestStaticBind checks that a directory limited to a bind serves only
// there.
func TestStaticBind(t *testing.T) {
	public, _ := staticTree(t)
	doc := "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nother = \"127.0.0.1:2\"\n\n" +
		"[[mothership.static_dirs]]\npath = \"" + public + "\"\nprefix = \"/\"\nbind = \"other\"\n\n" +
		ship("app", "127.0.0.1:9", `{ path_prefix = "/api" }`)
	p := startProxy(t, doc)
	if res, _ := rawGet(t, p.addr, "GET", "/app.js", ""); res.StatusCode != 404 {
		t.Errorf("bind http: status %d, want 404", res.StatusCode)
	}
	if res, body := rawGet(t, p.srv.Addr("other").String(), "GET", "/app.js", ""); res.StatusCode != 200 || body != "console.log('public')" {
		t.Errorf("bind other: %d %q, want the file", res.StatusCode, body)
	}
}

// TestStaticCompressedOnTheFly checks that a text file without a
// precompressed sibling is sent encoded when the client accepts it, the
// same bytes again from the cache, and anew once the file changes; that
// an image or a small file is sent as it is.
func TestStaticCompressedOnTheFly(t *testing.T) {
	public, assets := staticTree(t)
	text := strings.Repeat("All work and no play makes Jack a dull boy. ", 100)
	testfs.Lay(t, public, map[string]string{"big.txt": text, "big.png": text}, nil)
	backend := startBackend(t, echoHandler("app"))
	p := startProxy(t, staticDoc(public, assets, backendAddr(backend)))
	c := newClient(t)
	c.Transport.(*http.Transport).DisableCompression = true
	var first string
	for i := range 2 {
		res, raw := do(t, c, "GET", p.url+"/big.txt", "", http.Header{"Accept-Encoding": {"gzip"}})
		if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasSuffix(res.Header.Get("Etag"), `-gzip"`) {
			t.Fatalf("request %d: Content-Encoding %q, ETag %q; want gzip and a gzip ETag", i, res.Header.Get("Content-Encoding"), res.Header.Get("Etag"))
		}
		if got := decode(t, "big.txt", "gzip", []byte(raw)); got != text || len(raw) >= len(text) || res.ContentLength != int64(len(raw)) {
			t.Fatalf("request %d: %d encoded bytes (Content-Length %d) decoding to %d, want fewer than %d decoding to the file", i, len(raw), res.ContentLength, len(got), len(text))
		}
		if i == 0 {
			first = raw
		} else if raw != first {
			t.Errorf("the second answer differs from the first")
		}
	}
	changed := strings.Repeat("Changed: ", 300)
	if err := os.WriteFile(filepath.Join(public, "big.txt"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	// A new size, so a file system with coarse timestamps notices too.
	res, raw := do(t, c, "GET", p.url+"/big.txt", "", http.Header{"Accept-Encoding": {"br"}})
	if got := decode(t, "changed", res.Header.Get("Content-Encoding"), []byte(raw)); got != changed {
		t.Errorf("after a change: %d bytes decoding to %q..., want the new file", len(raw), got[:min(20, len(got))])
	}
	for _, tc := range []struct{ name, path, ae string }{
		{"an image", "/big.png", "gzip"},
		{"a small file", "/app.js", "gzip"},
		{"no coding accepted", "/big.txt", "identity"},
	} {
		res, _ := do(t, c, "GET", p.url+tc.path, "", http.Header{"Accept-Encoding": {tc.ae}})
		if ce := res.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("%s: Content-Encoding %q, want none", tc.name, ce)
		}
	}
}

// TestNoRouteRequestsAreLimitedAndShielded checks a site of static files
// alone: its requests match no route, and still pass the rate limit and
// the shields as a route's do.
func TestNoRouteRequestsAreLimitedAndShielded(t *testing.T) {
	public, _ := staticTree(t)
	p := startProxy(t, "[mothership]\nrate_limiting = { per_ip_rpm = 2 }\n\n"+bindOnly+
		"[[mothership.static_dirs]]\npath = \""+public+"\"\n\n"+
		"[[mothership.shields]]\nname = \"no-llm\"\nua_filter = \"llm\"\n")
	c := newClient(t)
	if res, _ := do(t, c, "GET", p.url+"/app.js", "", http.Header{"User-Agent": {"GPTBot/1.2"}}); res.StatusCode != 403 {
		t.Errorf("GPTBot on a static file: %d, want the shield's 403", res.StatusCode)
	}
	for i, want := range []int{200, 429} { // the refused GPTBot spent the first token
		if res, _ := do(t, c, "GET", p.url+"/app.js", "", nil); res.StatusCode != want {
			t.Errorf("request %d after it: %d, want %d", i+2, res.StatusCode, want)
		}
	}
}
