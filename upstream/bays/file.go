package bays

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// serveFile answers with the file a bay named in a file reply, from disk.
// A 200 gets what a static file gets: Last-Modified, Accept-Ranges, the
// conditional requests (conditional.go) and byte ranges (ranges.go);
// another status is sent as it is with the file as its body.
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
	w := x.Response
	h := w.Header()
	size := fi.Size()
	if status != 200 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
		w.WriteHeader(status)
		return sendRange(x, f, 0, size)
	}
	modtime := fi.ModTime()
	if !modtime.IsZero() && modtime.Unix() != 0 {
		h.Set("Last-Modified", modtime.UTC().Format(httpTime))
	}
	rangeHeader, done := preconditions(x, modtime)
	if done {
		return nil
	}
	if !h.Has("Content-Type") {
		// The bay named the file: its extension says more than its bytes.
		h.Set("Content-Type", contentType(path))
	}
	ranges, err := parseRanges(rangeHeader, size)
	if err != nil {
		if errors.Is(err, errNoOverlap) {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		}
		h.Del("Content-Length")
		answerRange.Write(w)
		return nil
	}
	h.Set("Accept-Ranges", "bytes")
	switch {
	case len(ranges) == 1:
		r := ranges[0]
		h.Set("Content-Range", r.contentRange(size))
		h.Set("Content-Length", strconv.FormatInt(r.length, 10))
		w.WriteHeader(206)
		return sendRange(x, f, r.start, r.length)
	case len(ranges) > 1:
		return sendRanges(x, f, ranges, size)
	}
	if !h.Has("Content-Encoding") {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(200)
	return sendRange(x, f, 0, size)
}

// httpTime is the date format of HTTP fields (RFC 9110 §5.6.7).
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

// contentType is the type named by path's extension, and
// application/octet-stream when there is none.
func contentType(path string) string {
	if t := mime.TypeByExtension(filepath.Ext(path)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// sendRange writes length bytes of f from start, but for a HEAD request.
func sendRange(x *pipeline.Exchange, f *os.File, start, length int64) error {
	if x.Method == "HEAD" {
		return nil
	}
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	_, err := io.CopyBuffer(writerOnly{x.Response}, io.NewSectionReader(f, start, length), buf[:])
	return err
}

// writerOnly hides what else the writer is, so that CopyBuffer uses the
// pooled buffer.
type writerOnly struct{ io.Writer }

// parseHTTPTime reads a date in any of the three formats RFC 9110 §5.6.7
// says a recipient must accept.
func parseHTTPTime(s string) (time.Time, error) {
	var err error
	for _, layout := range [...]string{httpTime, time.RFC850, time.ANSIC} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}
