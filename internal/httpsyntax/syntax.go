// Package httpsyntax holds the RFC 9110 and RFC 9112 rules that several
// packages apply to header names, values and lists: what a token is, ASCII
// case folding, comma-separated list membership, the hop-by-hop header set
// and chunk-size digits. One copy of each, so that an RFC corner case is
// fixed in one place. Nothing here allocates.
package httpsyntax

// tokenChars marks the bytes allowed in a token (RFC 9110 §5.6.2):
// ALPHA, DIGIT and !#$%&'*+-.^_`|~.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

// IsTokenChar reports whether c may appear in a token.
func IsTokenChar(c byte) bool { return tokenChars[c] }

// IsToken reports whether s is a non-empty token: a valid header name or
// method.
func IsToken[T ~string | ~[]byte](s T) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tokenChars[s[i]] {
			return false
		}
	}
	return true
}

// IsFieldValue reports whether s may be a header field value as we send
// or accept it: visible ASCII, space, tab and obs-text (bytes ≥ 0x80), with
// no control character (no NUL, CR or LF, which could end the line and
// forge another) and no DEL.
func IsFieldValue[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// EqualFold reports whether s equals lower, which must be in lower case,
// ignoring ASCII case only (header names and tokens are ASCII).
func EqualFold[T ~string | ~[]byte](s T, lower string) bool {
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

// EqualFoldBoth reports whether a and b are equal ignoring ASCII case.
func EqualFoldBoth(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// TrimOWS cuts optional whitespace (space and tab) from both ends.
func TrimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// NextElement cuts the first element off a comma-separated list (RFC 9110
// §5.6.1), trimmed of whitespace, and returns it and the rest. Empty
// elements come back as "" and are the caller's to skip.
func NextElement(list string) (elem, rest string) {
	for i := 0; i < len(list); i++ {
		if list[i] == ',' {
			return TrimOWS(list[:i]), list[i+1:]
		}
	}
	return TrimOWS(list), ""
}

// HasToken reports whether the comma-separated list holds token, compared
// without ASCII case; token must be in lower case. Parameters after `;` are
// not part of an element's token.
func HasToken(list, token string) bool {
	for list != "" {
		var elem string
		elem, list = NextElement(list)
		for i := 0; i < len(elem); i++ {
			if elem[i] == ';' {
				elem = TrimOWS(elem[:i])
				break
			}
		}
		if EqualFold(elem, token) {
			return true
		}
	}
	return false
}

// HasTokenFold is HasToken for a token in any case.
func HasTokenFold(list, token string) bool {
	for list != "" {
		var elem string
		elem, list = NextElement(list)
		if EqualFoldBoth(elem, token) {
			return true
		}
	}
	return false
}

// IsHopByHop reports whether name, in any case, is a header of one
// connection only (RFC 9110 §7.6.1), which a proxy never passes on:
// Connection, Keep-Alive, Proxy-Connection, Proxy-Authenticate,
// Proxy-Authorization, TE, Trailer, Transfer-Encoding and Upgrade.
func IsHopByHop(name string) bool {
	switch len(name) {
	case 2:
		return EqualFold(name, "te")
	case 7:
		return EqualFold(name, "upgrade") || EqualFold(name, "trailer")
	case 10:
		return EqualFold(name, "connection") || EqualFold(name, "keep-alive")
	case 16:
		return EqualFold(name, "proxy-connection")
	case 17:
		return EqualFold(name, "transfer-encoding")
	case 18:
		return EqualFold(name, "proxy-authenticate")
	case 19:
		return EqualFold(name, "proxy-authorization")
	}
	return false
}

// HexDigit returns the value of a hexadecimal digit, or -1.
func HexDigit(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// ParseUint reads a non-empty run of decimal digits, nothing else, as a
// non-negative int64; ok is false for anything else, a sign, or a value
// past 2^63-1. Content-Length and status codes are read with it.
func ParseUint[T ~string | ~[]byte](s T) (n int64, ok bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
