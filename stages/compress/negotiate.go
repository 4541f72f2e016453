package compress

import (
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// Encoding is a content coding the proxy can produce.
type Encoding uint8

// The codings, in the order of Set's bits.
const (
	Identity Encoding = iota
	Brotli
	Gzip
	Deflate
	numEncodings
)

// encodingNames are the Content-Encoding tokens, by encoding.
var encodingNames = [numEncodings]string{"identity", "br", "gzip", "deflate"}

// String is the coding's Content-Encoding token.
func (e Encoding) String() string { return encodingNames[e] }

// Set is a set of encodings, one bit each.
type Set uint8

// Has reports whether e is in s.
func (s Set) Has(e Encoding) bool { return s&(1<<e) != 0 }

// With is s and e.
func (s Set) With(e Encoding) Set { return s | 1<<e }

// All is every coding the compression stage produces.
const All = Set(1<<Brotli | 1<<Gzip | 1<<Deflate)

// preference is the order among equal q-values: br, then gzip, then deflate.
var preference = [...]Encoding{Brotli, Gzip, Deflate}

// Negotiate picks the coding for a response from the request's
// Accept-Encoding fields (RFC 9110 §12.5.3): among the offered ones, the
// one with the highest q-value above zero, br > gzip > deflate at equal q,
// or Identity when none is acceptable or identity itself is preferred by a
// higher q. `*` stands for every coding the header does not name. An
// element with a malformed q-value is ignored. Identity is also the answer
// when the client excludes it (`identity;q=0`) and accepts nothing
// offered: sending it is better than a 406. It reads the values in place
// and allocates nothing.
func Negotiate(h *pipeline.Header, offered Set) Encoding {
	var q [numEncodings]int // in thousandths; -1: not named
	for i := range q {
		q[i] = -1
	}
	star := -1
	for i := h.Index("Accept-Encoding", 0); i >= 0; i = h.Index("Accept-Encoding", i+1) {
		for v := h.Value(i); len(v) > 0; {
			var elem string
			elem, v = httpsyntax.NextElement(v)
			name, qv, ok := parseCoding(elem)
			if !ok || name == "" {
				continue
			}
			if name == "*" {
				star = max(star, qv)
				continue
			}
			if e, known := codingOf(name); known {
				q[e] = max(q[e], qv)
			}
		}
	}
	return choose(q, star, offered)
}

// choose is the best offered coding for the q-values named.
func choose(q [numEncodings]int, star int, offered Set) Encoding {
	best, bestQ := Identity, 0
	for _, e := range preference {
		if !offered.Has(e) {
			continue
		}
		eq := q[e]
		if eq < 0 {
			eq = star // -1 when there is no star either
		}
		if eq > bestQ {
			best, bestQ = e, eq
		}
	}
	// Identity wins over a coding only when the client names it with a
	// higher q; left unnamed it is the fallback, not a preference.
	if best != Identity && q[Identity] > bestQ {
		return Identity
	}
	return best
}

// parseCoding reads one element: `token [OWS ; OWS q=value]`, other
// parameters ignored. The token is lower-cased only by comparison (see
// codingOf), so nothing is allocated.
func parseCoding(elem string) (name string, q int, ok bool) {
	elem = httpsyntax.TrimOWS(elem)
	params := ""
	if i := strings.IndexByte(elem, ';'); i >= 0 {
		elem, params = httpsyntax.TrimOWS(elem[:i]), elem[i+1:]
	}
	q = 1000
	for len(params) > 0 {
		var p string
		if i := strings.IndexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			p, params = params, ""
		}
		p = httpsyntax.TrimOWS(p)
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') {
			continue
		}
		rest := httpsyntax.TrimOWS(p[1:])
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		if q, ok = parseQ(httpsyntax.TrimOWS(rest[1:])); !ok {
			return "", 0, false
		}
	}
	return elem, q, true
}

// parseQ reads a qvalue (RFC 9110 §12.4.2): 0[.ddd] or 1[.000], as
// thousandths.
func parseQ(s string) (int, bool) {
	if len(s) == 0 || (s[0] != '0' && s[0] != '1') {
		return 0, false
	}
	q := int(s[0]-'0') * 1000
	if len(s) == 1 {
		return q, true
	}
	if s[1] != '.' || len(s) > 5 {
		return 0, false
	}
	scale := 100
	for _, c := range []byte(s[2:]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// codingOf maps a coding token, in any case, to an encoding; x-gzip is gzip.
func codingOf(name string) (Encoding, bool) {
	switch {
	case httpsyntax.EqualFold(name, "br"):
		return Brotli, true
	case httpsyntax.EqualFold(name, "gzip"), httpsyntax.EqualFold(name, "x-gzip"):
		return Gzip, true
	case httpsyntax.EqualFold(name, "deflate"):
		return Deflate, true
	case httpsyntax.EqualFold(name, "identity"):
		return Identity, true
	}
	return 0, false
}
