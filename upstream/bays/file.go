package bays

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/mothership-go/mothership/internal/content"
	"github.com/mothership-go/mothership/pipeline"
)

// serveFile answers with the file a bay named in a file reply, from disk.
// A 200 gets what a static file gets (internal/content: Last-Modified,
// Accept-Ranges, the conditional requests and byte ranges); another status
// is sent as it is with the file as its body.
func serveFile(x *pipeline.Exchange, status int, path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("file reply with a relative path %q", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("file reply: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		return fmt.Errorf("file reply: %s is not a readable file", path)
	}
	h := x.Response.Header()
	if status != 200 {
		h.Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
		x.Response.WriteHeader(status)
		return content.Send(x, f, 0, fi.Size())
	}
	if !h.Has("Content-Type") {
		// The bay named the file: its extension says more than its bytes.
		ctype := content.Type(path)
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		h.Set("Content-Type", ctype)
	}
	return content.Serve(x, f, fi.Size(), fi.ModTime())
}
