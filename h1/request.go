package h1

import (
	"bytes"
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// Limits bound what a request head may hold.
type Limits struct {
	// MaxTarget is the longest request target; longer is 414 (0: 8192).
	MaxTarget int
	// MaxHeaderBytes is the longest head, request line included; longer is
	// 431 (0: 65536).
	MaxHeaderBytes int
	// MaxFields is the most header fields; more is 431 (0: 100).
	MaxFields int
}

func (l *Limits) values() (target, head, fields int) {
	target, head, fields = l.MaxTarget, l.MaxHeaderBytes, l.MaxFields
	if target <= 0 {
		target = 8192
	}
	if head <= 0 {
		head = 65536
	}
	if fields <= 0 {
		fields = 100
	}
	return target, head, fields
}

// Request is a parsed request head. Its strings point into the buffer
// given to ParseRequest (no copy), valid while those bytes are.
type Request struct {
	// Method and Target are as sent; an absolute-form target is cut to its
	// path and query (its authority is Host).
	Method, Target string
	// Minor is the HTTP/1 minor version: 0, or 1 for 1.1 and above.
	Minor int
	// Header is every field in wire order and case, values without the
	// whitespace around them.
	Header pipeline.Header
	// Host is the Host field, or the authority of an absolute-form target.
	Host string
	// ContentLength is the declared body length; 0 when none, -1 when
	// chunked.
	ContentLength int64
	// Chunked is set for a chunked body.
	Chunked bool
	// KeepAlive is set when the connection may serve another request:
	// HTTP/1.1 without `Connection: close`, or 1.0 with keep-alive.
	KeepAlive bool
	// Upgrade is the Upgrade field when Connection names upgrade.
	Upgrade string
	// Expect100 is set for `Expect: 100-continue`.
	Expect100 bool
	// UserAgent is the first User-Agent field.
	UserAgent string
}

// ParseRequest parses the request head at the start of buf into r (its
// Header is reset first, keeping its array). It returns the head's length
// once it is complete; 0 and no error when more bytes are needed and the
// limits still allow them; or an *Error.
func ParseRequest(buf []byte, lim *Limits, r *Request) (int, error) {
	maxTarget, maxHead, maxFields := lim.values()
	start := 0
	for len(buf)-start >= 2 && buf[start] == '\r' && buf[start+1] == '\n' {
		start += 2 // empty lines before a request (RFC 9112 §2.2)
	}
	l, end, bad := line(buf, start)
	if bad {
		return 0, errLineEnd
	}
	if end < 0 {
		return 0, partialLine(buf[start:], maxTarget, maxHead)
	}
	if err := r.requestLine(l, maxTarget); err != nil {
		return 0, err
	}
	r.Header.Reset()
	n, err := scanFields(buf, end, &r.Header, maxFields, &requestFieldErrors)
	switch {
	case err != nil:
		return 0, err
	case n == 0 && len(buf) >= maxHead, n > maxHead:
		return 0, errTooLarge
	case n == 0:
		return 0, nil
	}
	if err := r.semantics(); err != nil {
		return 0, err
	}
	return n, nil
}

// partialLine refuses an incomplete request line that is already too
// long: 414 when its target is, 431 otherwise.
func partialLine(l []byte, maxTarget, maxHead int) error {
	if sp := bytes.IndexByte(l, ' '); sp >= 0 {
		t := l[sp+1:]
		if e := bytes.IndexByte(t, ' '); e >= 0 {
			t = t[:e]
		}
		if len(t) > maxTarget {
			return errTooLongURI
		}
	}
	if len(l) >= maxHead {
		return errTooLarge
	}
	return nil
}

// requestLine parses method SP target SP HTTP-version.
func (r *Request) requestLine(l []byte, maxTarget int) error {
	sp1 := bytes.IndexByte(l, ' ')
	if sp1 <= 0 {
		return errRequestLine
	}
	rest := l[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return errRequestLine
	}
	method, target, version := l[:sp1], rest[:sp2], rest[sp2+1:]
	if !httpsyntax.IsToken(method) {
		return errMethod
	}
	if len(target) > maxTarget {
		return errTooLongURI
	}
	if len(target) == 0 || !visible(target) {
		return errTarget
	}
	if len(version) != 8 || string(version[:5]) != "HTTP/" || version[6] != '.' || !digit(version[5]) || !digit(version[7]) {
		return errVersion
	}
	if version[5] != '1' {
		return errMajor
	}
	r.Minor = 0
	if version[7] != '0' {
		r.Minor = 1
	}
	r.Method = str(method)
	return r.setTarget(str(target))
}

// setTarget checks the target's form and cuts an absolute one.
func (r *Request) setTarget(t string) error {
	r.Host = ""
	switch {
	case t[0] == '/':
	case t == "*":
		if r.Method != "OPTIONS" {
			return errTarget
		}
	case r.Method == "CONNECT":
		// authority form: the engine refuses CONNECT itself
	case hasSchemePrefix(t):
		rest := t[len("http://"):]
		if t[4] != ':' {
			rest = t[len("https://"):]
		}
		cut := len(rest)
		for i := 0; i < len(rest); i++ {
			if rest[i] == '/' || rest[i] == '?' {
				cut = i
				break
			}
		}
		r.Host = rest[:cut]
		t = rest[cut:]
		switch {
		case t == "":
			t = "/"
		case t[0] != '/':
			return errTarget
		}
	default:
		return errTarget
	}
	if !validEscapes(t) {
		return errEscape
	}
	r.Target = t
	return nil
}

// validEscapes reports whether every `%` of the target's path starts a
// two-hex-digit escape (the query is the application's).
func validEscapes(t string) bool {
	for i := 0; i < len(t) && t[i] != '?'; i++ {
		if t[i] == '%' {
			if i+2 >= len(t) || httpsyntax.HexDigit(t[i+1]) < 0 || httpsyntax.HexDigit(t[i+2]) < 0 {
				return false
			}
			i += 2
		}
	}
	return true
}

func hasSchemePrefix(t string) bool {
	return len(t) > 7 && httpsyntax.EqualFold(t[:7], "http://") || len(t) > 8 && httpsyntax.EqualFold(t[:8], "https://")
}

// semantics reads the fields the framing and the engine need.
func (r *Request) semantics() error {
	h := &r.Header
	absHost := r.Host != ""
	hosts := h.Count("Host")
	switch {
	case hosts > 1:
		return errTwoHosts
	case hosts == 0 && r.Minor == 1:
		return errNoHost
	case hosts == 1 && !absHost:
		r.Host = h.Get("Host")
	}
	if !validHost(r.Host) {
		return errHost
	}
	if hosts == 1 && absHost && !validHost(h.Get("Host")) {
		return errHost // ignored for the target's authority, but still a field
	}
	cl, ok := contentLength(h)
	if !ok {
		return errLength
	}
	present, chunked, others := codings(h)
	r.Chunked = false
	r.ContentLength = max(cl, 0)
	if present {
		switch {
		case cl >= 0:
			return errBothFraming
		case r.Minor == 0:
			return errTE10
		case !chunked && others && lastIsChunked(h):
			return errTEUnknown
		case !chunked:
			return errTENotChunked
		}
		r.Chunked, r.ContentLength = true, -1
	}
	if r.Minor == 1 {
		r.KeepAlive = !connectionHas(h, "close")
	} else {
		r.KeepAlive = connectionHas(h, "keep-alive")
	}
	r.Upgrade = ""
	if connectionHas(h, "upgrade") {
		r.Upgrade = h.Get("Upgrade")
	}
	r.Expect100 = false
	if i := h.Index("Expect", 0); i >= 0 {
		if !httpsyntax.EqualFold(h.Value(i), "100-continue") || h.Index("Expect", i+1) >= 0 {
			return errExpect
		}
		r.Expect100 = r.Minor == 1
	}
	r.UserAgent = h.Get("User-Agent")
	return nil
}

// lastIsChunked reports whether the last coding named is chunked: with
// another before it, the request is well framed but names a coding not
// served (501), not a malformed one (400).
func lastIsChunked(h *pipeline.Header) bool {
	last := ""
	for i := h.Index("Transfer-Encoding", 0); i >= 0; i = h.Index("Transfer-Encoding", i+1) {
		for list := h.Value(i); list != ""; {
			var el string
			if el, list = httpsyntax.NextElement(list); el != "" {
				last = el
			}
		}
	}
	return httpsyntax.EqualFold(last, "chunked")
}

// connectionHas reports whether a Connection field of h lists token
// (lower case).
func connectionHas(h *pipeline.Header, token string) bool {
	for i := h.Index("Connection", 0); i >= 0; i = h.Index("Connection", i+1) {
		if httpsyntax.HasTokenFold(h.Value(i), token) {
			return true
		}
	}
	return false
}

// validHost accepts uri-host [":" port] characters: unreserved,
// sub-delims, `%`, `:` and the brackets of an IPv6 literal.
func validHost(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=%:[]", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func visible(b []byte) bool {
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return false
		}
	}
	return true
}

func digit(c byte) bool { return '0' <= c && c <= '9' }
