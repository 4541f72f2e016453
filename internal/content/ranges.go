package content

import (
	"cmp"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// byteRange is one range of a Range field, resolved against the size.
type byteRange struct {
	start, length int64
}

func (r byteRange) contentRange(size int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.start+r.length-1, 10) + "/" + strconv.FormatInt(size, 10)
}

var (
	errBadRange  = errors.New("invalid range")
	errNoOverlap = errors.New("no range overlaps the file")

	answerRange = pipeline.NewAnswer(416, "416 range not satisfiable")
)

// maxRanges is the most ranges a Range field may ask for; more are
// answered with the whole file, as RFC 9110 §14.2 allows, so that a client
// cannot make a small file a large multipart answer (5000 one-byte ranges
// of a 10 KB file would be 74 times the file).
const maxRanges = 16

// parseRanges reads a Range field (RFC 9110 §14.2) for a file of size
// bytes, overlapping and adjacent ones merged: nil for none, for a unit
// other than bytes or for more than maxRanges ranges; errNoOverlap when none starts inside the file, errBadRange when
// it does not parse.
func parseRanges(s string, size int64) ([]byteRange, error) {
	if s == "" {
		return nil, nil
	}
	unit, spec, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return nil, errBadRange
	case !httpsyntax.EqualFold(httpsyntax.TrimOWS(unit), "bytes"):
		return nil, nil // §14.2: a unit the server does not know is ignored
	}
	var ranges []byteRange
	noOverlap := false
	n := 0
	for spec != "" {
		var elem string
		elem, spec = httpsyntax.NextElement(spec)
		if elem == "" {
			continue
		}
		if n++; n > maxRanges {
			return nil, nil
		}
		first, last, ok := strings.Cut(elem, "-")
		if !ok {
			return nil, errBadRange
		}
		first, last = httpsyntax.TrimOWS(first), httpsyntax.TrimOWS(last)
		var r byteRange
		if first == "" {
			// A suffix: the last n bytes.
			n, ok := httpsyntax.ParseUint(last)
			if !ok {
				return nil, errBadRange
			}
			if n == 0 || size == 0 {
				noOverlap = true // the last 0 bytes, or any of none
				continue
			}
			n = min(n, size)
			r = byteRange{start: size - n, length: n}
		} else {
			start, ok := httpsyntax.ParseUint(first)
			if !ok {
				return nil, errBadRange
			}
			if start >= size {
				noOverlap = true
				continue
			}
			end := size - 1
			if last != "" {
				e, ok := httpsyntax.ParseUint(last)
				if !ok || e < start {
					return nil, errBadRange
				}
				end = min(e, size-1)
			}
			r = byteRange{start: start, length: end - start + 1}
		}
		ranges = append(ranges, r)
	}
	if noOverlap && len(ranges) == 0 {
		return nil, errNoOverlap
	}
	// Merged, the ranges never add up to more than the file.
	return merge(ranges), nil
}

// merge coalesces ranges that overlap or touch (RFC 9110 §14.2 lets a
// server do so), in the order of their starts; one range is left as it is.
func merge(ranges []byteRange) []byteRange {
	if len(ranges) < 2 {
		return ranges
	}
	slices.SortFunc(ranges, func(a, b byteRange) int { return cmp.Compare(a.start, b.start) })
	out := ranges[:1]
	for _, r := range ranges[1:] {
		last := &out[len(out)-1]
		if end := last.start + last.length; r.start <= end {
			last.length = max(end, r.start+r.length) - last.start
			continue
		}
		out = append(out, r)
	}
	return out
}

// sendRanges answers several ranges as multipart/byteranges (RFC 9110
// §14.6), each part with its Content-Range and the file's type.
func sendRanges(x *pipeline.Exchange, r io.ReaderAt, ranges []byteRange, size int64) error {
	h := x.Response.Header()
	boundary := strconv.FormatUint(rand.Uint64()|1<<63, 16) // 16 hex digits
	ctype := h.Get("Content-Type")
	heads := make([]string, len(ranges))
	length := int64(len("\r\n--" + boundary + "--\r\n"))
	for i, r := range ranges {
		sep := "\r\n--"
		if i == 0 {
			sep = "--"
		}
		heads[i] = sep + boundary + "\r\nContent-Range: " + r.contentRange(size) + "\r\nContent-Type: " + ctype + "\r\n\r\n"
		length += int64(len(heads[i])) + r.length
	}
	h.Set("Content-Type", "multipart/byteranges; boundary="+boundary)
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	x.Response.WriteHeader(206)
	if x.Method == "HEAD" {
		return nil
	}
	for i, rg := range ranges {
		if _, err := x.Response.Write([]byte(heads[i])); err != nil {
			return err
		}
		if err := Send(x, r, rg.start, rg.length); err != nil {
			return err
		}
	}
	_, err := x.Response.Write([]byte("\r\n--" + boundary + "--\r\n"))
	return err
}
