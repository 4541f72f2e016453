package h1

import (
	"bytes"
	"unsafe"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// str views b as a string without copying: the strings of a parsed head
// point into the caller's buffer, valid while those bytes are.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// line returns the line at buf[i:] without its CRLF and the index after
// it; end is -1 when the line is not complete yet. A bare LF is bad.
func line(buf []byte, i int) (l []byte, end int, bad bool) {
	j := bytes.IndexByte(buf[i:], '\n')
	if j < 0 {
		return nil, -1, false
	}
	j += i
	if j == i || buf[j-1] != '\r' {
		return nil, -1, true
	}
	return buf[i : j-1], j + 1, false
}

// fieldErrors are the errors scanFields reports, per side.
type fieldErrors struct{ lineEnd, name, value, fold, many *Error }

var (
	requestFieldErrors  = fieldErrors{errLineEnd, errFieldName, errFieldValue, errObsFold, errTooMany}
	responseFieldErrors = fieldErrors{errRespField, errRespField, errRespField, errRespField, errRespField}
)

// scanFields parses the field lines at buf[i:] into h, up to and with the
// empty line. It returns the index after that line, or 0 when the head is
// not complete yet.
func scanFields(buf []byte, i int, h *pipeline.Header, maxFields int, e *fieldErrors) (int, error) {
	for {
		l, end, bad := line(buf, i)
		if bad {
			return 0, e.lineEnd
		}
		if end < 0 {
			return 0, nil
		}
		if len(l) == 0 {
			return end, nil
		}
		if l[0] == ' ' || l[0] == '\t' {
			return 0, e.fold
		}
		c := bytes.IndexByte(l, ':')
		if c <= 0 || !httpsyntax.IsToken(l[:c]) {
			return 0, e.name
		}
		v := httpsyntax.TrimOWS(str(l[c+1:]))
		if !httpsyntax.IsFieldValue(v) {
			return 0, e.value
		}
		if h.Len() == maxFields {
			return 0, e.many
		}
		h.Add(str(l[:c]), v)
		i = end
	}
}

// contentLength is the value of every Content-Length field of h, which
// must agree; -1 when there is none. A comma list is refused although RFC
// 9110 lets a recipient accept equal values in one: net/http refuses it,
// and a proxy must not be looser than the servers behind it.
func contentLength(h *pipeline.Header) (int64, bool) {
	n := int64(-1)
	first := ""
	for i := h.Index("Content-Length", 0); i >= 0; i = h.Index("Content-Length", i+1) {
		v, ok := httpsyntax.ParseUint(h.Value(i))
		if !ok || n >= 0 && h.Value(i) != first {
			return 0, false // repeated lengths must be the same text: 06 and 6 are refused
		}
		n, first = v, h.Value(i)
	}
	return n, true
}

// codings checks the Transfer-Encoding fields of h. present reports any;
// chunked that they are exactly one field `chunked` (any case), the only
// form net/http takes, so that ours is never the looser; others that
// another coding is named (501 rather than 400 for a request).
func codings(h *pipeline.Header) (present, chunked, others bool) {
	i := h.Index("Transfer-Encoding", 0)
	if i < 0 {
		return false, false, false
	}
	if h.Index("Transfer-Encoding", i+1) < 0 && httpsyntax.EqualFold(h.Value(i), "chunked") {
		return true, true, false
	}
	for ; i >= 0; i = h.Index("Transfer-Encoding", i+1) {
		for list := h.Value(i); list != ""; {
			var el string
			el, list = httpsyntax.NextElement(list)
			if el != "" && !httpsyntax.EqualFold(el, "chunked") {
				others = true
			}
		}
	}
	return true, false, others
}
