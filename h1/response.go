package h1

import (
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// maxResponseFields bounds the fields of a response head.
const maxResponseFields = 200

// Response is a parsed response head from an upstream; its strings point
// into the buffer given to ParseResponse.
type Response struct {
	// Minor is the HTTP/1 minor version.
	Minor int
	// Status is the three-digit status.
	Status int
	// Reason is the reason phrase, possibly empty.
	Reason string
	// Header is every field in wire order and case.
	Header pipeline.Header
	// ContentLength is the declared length, -1 when not given.
	ContentLength int64
	// Chunked is set for a chunked body.
	Chunked bool
	// Close is set when the connection cannot serve another request after
	// this response: Connection: close, HTTP/1.0 without keep-alive, or a
	// body that only the close ends.
	Close bool
	// KeepAliveTimeout is the upstream's `Keep-Alive: timeout=N`, 0 if none.
	KeepAliveTimeout time.Duration
}

// ParseResponse parses the response head at the start of buf into r: its
// length once complete, 0 and no error when more is needed, or an *Error.
func ParseResponse(buf []byte, r *Response) (int, error) {
	l, end, bad := line(buf, 0)
	if bad {
		return 0, errRespLine
	}
	if end < 0 {
		return 0, nil
	}
	if err := r.statusLine(l); err != nil {
		return 0, err
	}
	r.Header.Reset()
	n, err := scanFields(buf, end, &r.Header, maxResponseFields, &responseFieldErrors)
	if err != nil || n == 0 {
		return 0, err
	}
	if err := r.semantics(); err != nil {
		return 0, err
	}
	return n, nil
}

// statusLine parses HTTP/1.x SP 3DIGIT [SP reason]; a missing reason is
// taken, as the servers that omit it are common.
func (r *Response) statusLine(l []byte) error {
	if len(l) < 12 || string(l[:7]) != "HTTP/1." || !digit(l[7]) || l[8] != ' ' || !digit(l[9]) || !digit(l[10]) || !digit(l[11]) {
		return errRespLine
	}
	if len(l) > 12 && l[12] != ' ' {
		return errRespLine
	}
	r.Minor = 0
	if l[7] != '0' {
		r.Minor = 1
	}
	r.Status = int(l[9]-'0')*100 + int(l[10]-'0')*10 + int(l[11]-'0')
	if r.Status < 100 {
		return errRespLine
	}
	r.Reason = ""
	if len(l) > 13 {
		r.Reason = str(l[13:])
		if !httpsyntax.IsFieldValue(r.Reason) {
			return errRespLine
		}
	}
	return nil
}

func (r *Response) semantics() error {
	h := &r.Header
	cl, ok := contentLength(h)
	if !ok {
		return errRespLength
	}
	present, chunked, _ := codings(h)
	r.ContentLength, r.Chunked = cl, false
	if present {
		switch {
		case cl >= 0:
			return errRespFraming
		case !chunked:
			return errRespTE
		}
		r.Chunked = true
	}
	if r.Minor == 1 {
		r.Close = connectionHas(h, "close")
	} else {
		r.Close = !connectionHas(h, "keep-alive")
	}
	if !r.Chunked && cl < 0 && r.Status >= 200 && r.Status != 204 && r.Status != 304 {
		r.Close = true // only the close ends the body
	}
	r.KeepAliveTimeout = keepAliveTimeout(h.Get("Keep-Alive"))
	return nil
}

// NoBody reports whether the response has no body whatever its fields say:
// the answer to a HEAD, a 1xx, 204 or 304.
func (r *Response) NoBody(requestMethod string) bool {
	return requestMethod == "HEAD" || r.Status < 200 || r.Status == 204 || r.Status == 304
}

// keepAliveTimeout reads timeout=N from a Keep-Alive value.
func keepAliveTimeout(v string) time.Duration {
	for v != "" {
		var el string
		el, v = httpsyntax.NextElement(v)
		if len(el) > 8 && httpsyntax.EqualFold(el[:8], "timeout=") {
			if n, ok := httpsyntax.ParseUint(el[8:]); ok && n < 1<<20 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}
