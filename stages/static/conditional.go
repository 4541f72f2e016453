package static

import (
	"io/fs"
	"strings"
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// preconditions evaluates the conditional fields of a request for a file
// with etag and modification time mod, in the order of RFC 9110 §13.2.2:
// 412 when If-Match or If-Unmodified-Since fails, 304 for a GET or HEAD
// whose If-None-Match or If-Modified-Since says the client's copy is
// current (412 for another method), 0 to go on.
func preconditions(x *pipeline.Exchange, etag string, mod time.Time) int {
	h := &x.Header
	mod = mod.Truncate(time.Second) // dates on the wire have seconds
	if h.Has("If-Match") {
		if !anyFieldMatches(h, "If-Match", etag, false) {
			return 412
		}
	} else if t, ok := parseDate(h.Get("If-Unmodified-Since")); ok && mod.After(t) {
		return 412
	}
	get := x.Method == "GET" || x.Method == "HEAD"
	if h.Has("If-None-Match") {
		if anyFieldMatches(h, "If-None-Match", etag, true) {
			if get {
				return 304
			}
			return 412
		}
	} else if t, ok := parseDate(h.Get("If-Modified-Since")); ok && get && !mod.After(t) {
		return 304
	}
	return 0
}

// anyFieldMatches reports whether a field named name lists etag (or `*`),
// compared weakly or strongly (§8.8.3.2).
func anyFieldMatches(h *pipeline.Header, name, etag string, weak bool) bool {
	for i := h.Index(name, 0); i >= 0; i = h.Index(name, i+1) {
		if listsETag(h.Value(i), etag, weak) {
			return true
		}
	}
	return false
}

// listsETag reports whether list, `*` or entity tags separated by commas,
// names etag, a strong tag of ours. A strong comparison never matches a
// weak tag; a weak one ignores the W/. Parsing stops at the first
// malformed element.
func listsETag(list, etag string, weak bool) bool {
	for {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			return false
		}
		if list[0] == '*' {
			rest := httpsyntax.TrimOWS(list[1:])
			return rest == "" || rest[0] == ','
		}
		isWeak := strings.HasPrefix(list, "W/")
		if isWeak {
			list = list[2:]
		}
		if list == "" || list[0] != '"' {
			return false
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		tag := list[:end+2]
		list = list[end+2:]
		if tag == etag && (weak || !isWeak) {
			return true
		}
	}
}

// wantedRange is the part of the file to send: the whole of it with 200,
// one range with 206, or 416 when the Range names no byte of it. Range is
// honoured for GET only, and only when If-Range (if any) names this
// representation; a Range that is malformed, in another unit, or asks for
// several ranges gets the whole file (RFC 9110 §14.2 lets a server
// ignore it).
func wantedRange(x *pipeline.Exchange, etag string, fi fs.FileInfo) (start, length int64, status int) {
	size := fi.Size()
	h := &x.Header
	spec := h.Get("Range")
	if x.Method != "GET" || spec == "" || h.Count("Range") > 1 || !ifRange(h, etag, fi.ModTime()) {
		return 0, size, 200
	}
	start, length, ok, satisfiable := parseRange(spec, size)
	switch {
	case !ok:
		return 0, size, 200
	case !satisfiable:
		return 0, 0, 416
	}
	return start, length, 206
}

// ifRange reports whether a Range is to be honoured as far as If-Range
// says: no If-Range, an entity tag equal to etag (strongly), or a date
// equal to the modification time.
func ifRange(h *pipeline.Header, etag string, mod time.Time) bool {
	v := h.Get("If-Range")
	switch {
	case v == "":
		return true
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, "W/"):
		return v == etag
	}
	t, ok := parseDate(v)
	return ok && mod.Truncate(time.Second).Equal(t)
}

// parseRange reads a `bytes=` Range for a body of size bytes: ok is false
// when it is malformed or names several ranges (the whole body then), and
// satisfiable false when it names no byte of the body.
func parseRange(spec string, size int64) (start, length int64, ok, satisfiable bool) {
	unit, set, found := strings.Cut(spec, "=")
	if !found || !httpsyntax.EqualFold(httpsyntax.TrimOWS(unit), "bytes") {
		return 0, 0, false, false
	}
	n := 0
	for set != "" {
		var r string
		r, set = httpsyntax.NextElement(set)
		if r == "" {
			continue
		}
		first, last, dash := strings.Cut(r, "-")
		if !dash {
			return 0, 0, false, false
		}
		s, e, good, sat := oneRange(httpsyntax.TrimOWS(first), httpsyntax.TrimOWS(last), size)
		if !good {
			return 0, 0, false, false
		}
		if sat {
			n++
			start, length = s, e-s+1
		}
	}
	if n > 1 {
		return 0, 0, false, false
	}
	return start, length, true, n == 1
}

// oneRange reads `first-last`, `first-` or `-suffix` against size: the
// first and last byte, whether it is well-formed, and whether it names a
// byte of the body.
func oneRange(first, last string, size int64) (s, e int64, ok, satisfiable bool) {
	if first == "" {
		n, ok := httpsyntax.ParseUint(last)
		if !ok {
			return 0, 0, false, false
		}
		if n == 0 || size == 0 {
			return 0, 0, true, false
		}
		return max(0, size-n), size - 1, true, true
	}
	s, ok = httpsyntax.ParseUint(first)
	if !ok {
		return 0, 0, false, false
	}
	e = size - 1
	if last != "" {
		if e2, ok := httpsyntax.ParseUint(last); !ok || e2 < s {
			return 0, 0, false, false
		} else if e2 < e {
			e = e2
		}
	}
	return s, e, true, s < size
}

// dateFormats are the HTTP-date forms a recipient must accept (RFC 9110
// §5.6.7): IMF-fixdate, the obsolete RFC 850 form and asctime.
var dateFormats = [...]string{timeFormat, "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan _2 15:04:05 2006"}

// parseDate reads an HTTP-date; ok is false for "" or a malformed one,
// which the conditional fields then ignore.
func parseDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	for _, f := range dateFormats {
		if t, err := time.Parse(f, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
