package content

import (
	"strings"
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// cond is the outcome of one precondition: absent, passed or failed.
type cond int

const (
	condNone cond = iota
	condTrue
	condFalse
)

// preconditions evaluates the request's conditional fields against the
// file (RFC 9110 §13.2.2, in that order): a failed If-Match or
// If-Unmodified-Since is a 412, a failed If-None-Match or
// If-Modified-Since a 304 (for GET and HEAD), and done says the answer is
// written. Otherwise it returns the Range field to serve, "" when there is
// none or If-Range does not hold.
func preconditions(x *pipeline.Exchange, modtime time.Time) (rangeHeader string, done bool) {
	req, w := &x.Header, x.Response
	etag := w.Header().Get("Etag")
	c := ifMatch(req.Get("If-Match"), etag)
	if c == condNone {
		c = ifUnmodifiedSince(req.Get("If-Unmodified-Since"), modtime)
	}
	if c == condFalse {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(412)
		return "", true
	}
	getOrHead := x.Method == "GET" || x.Method == "HEAD"
	switch ifNoneMatch(req.Get("If-None-Match"), etag) {
	case condFalse:
		if !getOrHead {
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(412)
			return "", true
		}
		notModified(w, etag)
		return "", true
	case condNone:
		if getOrHead && ifModifiedSince(req.Get("If-Modified-Since"), modtime) == condFalse {
			notModified(w, etag)
			return "", true
		}
	}
	// Ranges are defined for GET alone (§14.2): a HEAD gets the head of
	// the whole representation.
	rangeHeader = req.Get("Range")
	if rangeHeader != "" && (x.Method != "GET" || ifRange(req.Get("If-Range"), etag, modtime) == condFalse) {
		rangeHeader = ""
	}
	return rangeHeader, false
}

// notModified answers 304 without the fields of a body; with an ETag,
// Last-Modified goes too (RFC 9110 §15.4.5).
func notModified(w pipeline.ResponseWriter, etag string) {
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	if etag != "" {
		h.Del("Last-Modified")
	}
	w.WriteHeader(304)
}

func ifMatch(im, etag string) cond {
	if im == "" {
		return condNone
	}
	for im != "" {
		var tag string
		tag, im = httpsyntax.NextElement(im)
		if tag == "*" || tag != "" && strongMatch(tag, etag) {
			return condTrue
		}
	}
	return condFalse
}

func ifNoneMatch(inm, etag string) cond {
	if inm == "" {
		return condNone
	}
	for inm != "" {
		var tag string
		tag, inm = httpsyntax.NextElement(inm)
		if tag == "*" || tag != "" && weakMatch(tag, etag) {
			return condFalse
		}
	}
	return condTrue
}

func ifUnmodifiedSince(ius string, modtime time.Time) cond {
	if ius == "" || modtime.IsZero() {
		return condNone
	}
	t, err := parseHTTPTime(ius)
	if err != nil {
		return condNone
	}
	if !modtime.Truncate(time.Second).After(t) {
		return condTrue
	}
	return condFalse
}

func ifModifiedSince(ims string, modtime time.Time) cond {
	if ims == "" || modtime.IsZero() {
		return condNone
	}
	t, err := parseHTTPTime(ims)
	if err != nil {
		return condNone
	}
	if !modtime.Truncate(time.Second).After(t) {
		return condFalse
	}
	return condTrue
}

// ifRange holds when its entity tag matches strongly, or its date is the
// file's modification time to the second.
func ifRange(ir, etag string, modtime time.Time) cond {
	switch {
	case ir == "":
		return condNone
	case strings.HasPrefix(ir, `"`) || strings.HasPrefix(ir, "W/"):
		if strongMatch(ir, etag) {
			return condTrue
		}
		return condFalse
	case modtime.IsZero():
		return condFalse
	}
	t, err := parseHTTPTime(ir)
	if err == nil && t.Unix() == modtime.Unix() {
		return condTrue
	}
	return condFalse
}

// strongMatch compares entity tags strongly: both strong and equal.
func strongMatch(a, b string) bool {
	return a == b && a != "" && a[0] == '"'
}

// weakMatch compares entity tags ignoring a W/ prefix.
func weakMatch(a, b string) bool {
	return b != "" && strings.TrimPrefix(a, "W/") == strings.TrimPrefix(b, "W/")
}
