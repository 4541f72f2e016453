package stages

// Accept-Encoding negotiation (RFC 9110 §12.5.3), shared by the compression
// stage and the static stage's precompressed siblings. It reads the header
// values in place and allocates nothing.

// encoding is a content coding the proxy can produce.
type encoding uint8

const (
	encIdentity encoding = iota
	encBrotli
	encGzip
	encDeflate
	numEncodings
)

// encodingNames are the Content-Encoding tokens, by encoding.
var encodingNames = [numEncodings]string{"identity", "br", "gzip", "deflate"}

func (e encoding) String() string { return encodingNames[e] }

// encodingSet is a set of encodings, one bit each.
type encodingSet uint8

func (s encodingSet) has(e encoding) bool { return s&(1<<e) != 0 }

const allCompressions = encodingSet(1<<encBrotli | 1<<encGzip | 1<<encDeflate)

// preference is the order among equal q-values: br, then gzip, then deflate.
var preference = [...]encoding{encBrotli, encGzip, encDeflate}

// negotiate picks the coding for a response from the Accept-Encoding
// values: among the offered ones, the one with the highest q-value above
// zero, br > gzip > deflate at equal q, or identity when none is acceptable
// or identity itself is preferred by a higher q. `*` stands for every coding
// the header does not name. An element with a malformed q-value is ignored.
// Identity is also the answer when the client excludes it (`identity;q=0`)
// and accepts nothing offered: sending it is better than a 406.
func negotiate(values []string, offered encodingSet) encoding {
	var q [numEncodings]int // in thousandths; -1: not named
	for i := range q {
		q[i] = -1
	}
	star := -1
	for _, v := range values {
		for len(v) > 0 {
			var elem string
			if i := indexByte(v, ','); i >= 0 {
				elem, v = v[:i], v[i+1:]
			} else {
				elem, v = v, ""
			}
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
	best, bestQ := encIdentity, 0
	for _, e := range preference {
		if !offered.has(e) {
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
	if best != encIdentity && q[encIdentity] > bestQ {
		return encIdentity
	}
	return best
}

// parseCoding reads one element: `token [OWS ; OWS q=value]`, other
// parameters ignored. The token is lower-cased only by comparison (see
// codingOf), so nothing is allocated.
func parseCoding(elem string) (name string, q int, ok bool) {
	elem = trimOWS(elem)
	params := ""
	if i := indexByte(elem, ';'); i >= 0 {
		elem, params = trimOWS(elem[:i]), elem[i+1:]
	}
	q = 1000
	for len(params) > 0 {
		var p string
		if i := indexByte(params, ';'); i >= 0 {
			p, params = params[:i], params[i+1:]
		} else {
			p, params = params, ""
		}
		p = trimOWS(p)
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') {
			continue
		}
		rest := trimOWS(p[1:])
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		if q, ok = parseQ(trimOWS(rest[1:])); !ok {
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
func codingOf(name string) (encoding, bool) {
	switch {
	case equalFoldASCII(name, "br"):
		return encBrotli, true
	case equalFoldASCII(name, "gzip"), equalFoldASCII(name, "x-gzip"):
		return encGzip, true
	case equalFoldASCII(name, "deflate"):
		return encDeflate, true
	case equalFoldASCII(name, "identity"):
		return encIdentity, true
	}
	return 0, false
}

func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// NegotiateEncoding is the compression stage's choice for a response whose
// request carried the Accept-Encoding values: "br", "gzip", "deflate" or
// "identity". It is exported for the fuzz targets.
func NegotiateEncoding(acceptEncoding []string) string {
	return negotiate(acceptEncoding, allCompressions).String()
}
