package bays

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

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
