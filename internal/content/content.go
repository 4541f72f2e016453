// Package content answers a request with a stored representation (a
// file's bytes and its validators) as RFC 9110 says: the conditional
// requests of §13 in the order of §13.2.2 (If-Match, If-Unmodified-Since,
// If-None-Match, If-Modified-Since, then If-Range), byte ranges (§14: one
// range as a 206 with Content-Range, several as multipart/byteranges,
// ranges adding up to more than the file as the whole file, 416 when none
// overlaps it) and HEAD. The static-files stage and the bays' file replies
// answer through it, so that a file gets the same answer whoever serves
// it; its answers were checked case by case against net/http's
// ServeContent, which served both before the engine was ours.
package content

import (
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// Serve answers x with the size bytes of r, last modified at mod (zero
// when unknown). The caller has set the response's Content-Type, its ETag
// (if any) and its Content-Encoding (if the bytes are encoded); Serve adds
// Last-Modified, Accept-Ranges, Content-Length and Content-Range, or
// answers 304, 412 or 416 instead. The error is the client's write error.
func Serve(x *pipeline.Exchange, r io.ReaderAt, size int64, mod time.Time) error {
	w := x.Response
	h := w.Header()
	if !mod.IsZero() && mod.Unix() != 0 {
		h.Set("Last-Modified", mod.UTC().Format(httpTime))
	}
	rangeHeader, done := preconditions(x, mod)
	if done {
		return nil
	}
	ranges, err := parseRanges(rangeHeader, size)
	if err != nil {
		if err == errNoOverlap {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(size, 10))
		}
		h.Del("Content-Length")
		answerRange.Write(w)
		return nil
	}
	h.Set("Accept-Ranges", "bytes")
	switch {
	case len(ranges) == 1:
		rg := ranges[0]
		h.Set("Content-Range", rg.contentRange(size))
		h.Set("Content-Length", strconv.FormatInt(rg.length, 10))
		w.WriteHeader(206)
		return Send(x, r, rg.start, rg.length)
	case len(ranges) > 1:
		return sendRanges(x, r, ranges, size)
	}
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(200)
	return Send(x, r, 0, size)
}

// copyBufferSize is the size of the pooled buffers bodies are copied
// through.
const copyBufferSize = 32 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// Send writes length bytes of r from start as the body, through a pooled
// buffer; nothing for a HEAD request.
func Send(x *pipeline.Exchange, r io.ReaderAt, start, length int64) error {
	if x.Method == "HEAD" {
		return nil
	}
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	_, err := io.CopyBuffer(writerOnly{x.Response}, io.NewSectionReader(r, start, length), buf[:])
	return err
}

// writerOnly hides what else the writer is, so that CopyBuffer uses the
// pooled buffer.
type writerOnly struct{ io.Writer }

// httpTime is the date format of HTTP fields (RFC 9110 §5.6.7).
const httpTime = "Mon, 02 Jan 2006 15:04:05 GMT"

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
