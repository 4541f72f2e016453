package bays

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// TestFileReplyAnswersAsServeContentDid compares file replies with what
// net/http's ServeContent answered them with before the engine was ours:
// conditional requests and ranges keep their answers.
func TestFileReplyAnswersAsServeContentDid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.txt")
	content := "0123456789abcdefghijklmnopqrstuvwxyz"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
	before, after := mod.Add(-time.Hour).Format(httpTime), mod.Add(time.Hour).Format(httpTime)
	for _, tc := range []struct {
		name, method, etag string
		fields             []string
	}{
		{"whole file", "GET", "", nil},
		{"HEAD", "HEAD", "", nil},
		{"one range", "GET", "", []string{"Range", "bytes=2-5"}},
		{"open range", "GET", "", []string{"Range", "bytes=30-"}},
		{"suffix range", "GET", "", []string{"Range", "bytes=-4"}},
		{"range past the end", "GET", "", []string{"Range", "bytes=30-99"}},
		{"two ranges", "GET", "", []string{"Range", "bytes=0-1, 4-6"}},
		{"ranges adding up to more than the file", "GET", "", []string{"Range", "bytes=0-30,1-30"}},
		{"no range overlaps", "GET", "", []string{"Range", "bytes=99-"}},
		{"malformed range", "GET", "", []string{"Range", "lines=1-2"}},
		{"If-Modified-Since after", "GET", "", []string{"If-Modified-Since", after}},
		{"If-Modified-Since before", "GET", "", []string{"If-Modified-Since", before}},
		{"If-Modified-Since on a POST", "POST", "", []string{"If-Modified-Since", after}},
		{"If-Unmodified-Since before", "GET", "", []string{"If-Unmodified-Since", before}},
		{"If-Unmodified-Since after", "GET", "", []string{"If-Unmodified-Since", after}},
		{"If-None-Match hit", "GET", `"v1"`, []string{"If-None-Match", `"v0", W/"v1"`}},
		{"If-None-Match miss", "GET", `"v1"`, []string{"If-None-Match", `"v2"`}},
		{"If-None-Match star on a PUT", "PUT", `"v1"`, []string{"If-None-Match", "*"}},
		{"If-None-Match over If-Modified-Since", "GET", `"v1"`, []string{"If-None-Match", `"v2"`, "If-Modified-Since", after}},
		{"If-Match hit", "GET", `"v1"`, []string{"If-Match", `"v1"`}},
		{"If-Match weak is no match", "GET", `W/"v1"`, []string{"If-Match", `W/"v1"`}},
		{"If-Match miss", "GET", `"v1"`, []string{"If-Match", `"v2"`}},
		{"If-Range etag holds", "GET", `"v1"`, []string{"Range", "bytes=0-3", "If-Range", `"v1"`}},
		{"If-Range etag fails", "GET", `"v1"`, []string{"Range", "bytes=0-3", "If-Range", `"v2"`}},
		{"If-Range date holds", "GET", "", []string{"Range", "bytes=0-3", "If-Range", mod.Format(httpTime)}},
		{"If-Range date fails", "GET", "", []string{"Range", "bytes=0-3", "If-Range", before}},
	} {
		req := httptest.NewRequest(tc.method, "/report", nil)
		for i := 0; i < len(tc.fields); i += 2 {
			req.Header.Add(tc.fields[i], tc.fields[i+1])
		}
		want := httptest.NewRecorder()
		want.Header().Set("Content-Type", "text/plain")
		if tc.etag != "" {
			want.Header().Set("Etag", tc.etag)
		}
		f, _ := os.Open(path)
		http.ServeContent(want, req, "", mod, f)
		f.Close()

		x, _ := newExchange(t, tc.method, "/report", "", tc.fields...)
		x.Response.Header().Set("Content-Type", "text/plain")
		if tc.etag != "" {
			x.Response.Header().Set("Etag", tc.etag)
		}
		if err := serveFile(x, 200, path); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := x.Response.(*pipelinetest.Recorder)
		if got.Code != want.Code {
			t.Errorf("%s: status %d, ServeContent answered %d", tc.name, got.Code, want.Code)
		}
		if want.Code >= 400 {
			continue // the body is an error text either way
		}
		if g, w := boundaries(string(got.Body)), boundaries(want.Body.String()); g != w && tc.method != "HEAD" {
			t.Errorf("%s: body %q, ServeContent sent %q", tc.name, g, w)
		}
		if cl := x.Response.Header().Get("Content-Length"); tc.method != "HEAD" && got.Code != 304 && cl != strconv.Itoa(len(got.Body)) {
			t.Errorf("%s: Content-Length %s for a body of %d bytes", tc.name, cl, len(got.Body))
		}
		for _, name := range []string{"Content-Range", "Content-Length", "Accept-Ranges", "Last-Modified", "Etag"} {
			if g, w := x.Response.Header().Get(name), want.Header().Get(name); g != w && !(name == "Content-Length" && strings.Contains(want.Header().Get("Content-Type"), "multipart")) {
				t.Errorf("%s: %s %q, ServeContent sent %q", tc.name, name, g, w)
			}
		}
	}
}

var boundary = regexp.MustCompile(`[0-9a-f]{16,}`)

// boundaries masks multipart boundaries, which are random.
func boundaries(s string) string { return boundary.ReplaceAllString(s, "BOUNDARY") }

func TestFileReplyTypeAndStatus(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, file string
		status     int
		ctype      string
	}{
		{"type by extension", "page.html", 200, "text/html; charset=utf-8"},
		{"no extension", "blob", 200, "application/octet-stream"},
		{"another status sent as it is", "gone.html", 410, ""},
	} {
		path := filepath.Join(dir, tc.file)
		os.WriteFile(path, []byte("<p>hi</p>"), 0o644)
		x, _ := newExchange(t, "GET", "/", "")
		if err := serveFile(x, tc.status, path); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rec := x.Response.(*pipelinetest.Recorder)
		if rec.Code != tc.status || string(rec.Body) != "<p>hi</p>" || rec.Header().Get("Content-Type") != tc.ctype || rec.Header().Get("Content-Length") != "9" {
			t.Errorf("%s: %d %q, type %q, length %q; want %d, the file, %q, 9", tc.name, rec.Code, rec.Body, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Length"), tc.status, tc.ctype)
		}
	}
	for _, path := range []string{"relative/path", dir, filepath.Join(dir, "missing")} {
		x, _ := newExchange(t, "GET", "/", "")
		if err := serveFile(x, 200, path); err == nil || x.Response.Status() != 0 {
			t.Errorf("file reply %q: error %v, status %d; want an error and nothing written", path, err, x.Response.Status())
		}
	}
}
