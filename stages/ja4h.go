package stages

// JA4H is licensed under the FoxIO License 1.1 (see NOTICE): this file
// implements the JA4H fingerprint of FoxIO, LLC (Patent Pending).

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
)

// JA4HLen is the length of a JA4H fingerprint: a(12) _ b(12) _ c(12) _ d(12).
const JA4HLen = 51

// zeroHash is the hash of an empty list (FoxIO Rust and Rama).
const zeroHash = "000000000000"

// Fingerprinter computes JA4H fingerprints from raw request heads. It keeps
// its scratch space between calls, so that once warmed up a fingerprint
// costs no allocation. It is not safe for concurrent use; the engine keeps
// one per connection.
type Fingerprinter struct {
	out     [JA4HLen]byte
	list    []byte       // a comma-joined list, hashed
	cookies []cookieSpan // the cookies of the head, to sort
}

// cookieSpan is one cookie of a head: head[start:end] is `name=value` (or
// just `name`), head[start:eq] its name.
type cookieSpan struct{ start, eq, end int32 }

// JA4H returns the fingerprint of head, the bytes of one request head as
// sent: the request line, the header lines and the blank line (which may be
// missing). Header names are taken in wire order and case. The result
// points into f and is valid until the next call; it is empty when head
// has no request line of the form `METHOD target HTTP/x[.y]`.
//
// Choices where implementations differ (see the package's shields spec):
// an unknown method gives its first two characters, lowercased, with
// characters other than [a-z0-9] and a missing second one as `0` (Rama);
// the language is the first item of the first Accept-Language, cut at
// `;`, letters only, lowercased, 4 chars padded with `0` (Rama); cookies
// are split on `;`, trimmed, empty ones skipped, and sorted by name and
// then value; an empty list (no headers left, no cookies) hashes to
// 000000000000.
func (f *Fingerprinter) JA4H(head []byte) []byte {
	line, rest := cutLine(head)
	sp := bytes.IndexByte(line, ' ')
	last := bytes.LastIndexByte(line, ' ')
	if sp <= 0 || last == sp {
		return nil
	}
	major, minor, ok := httpVersion(line[last+1:])
	if !ok {
		return nil
	}
	method := line[:sp]
	a := f.out[:12]
	a[0] = codeChar(method[0])
	a[1] = '0'
	if len(method) > 1 {
		a[1] = codeChar(method[1])
	}
	a[2], a[3] = major, minor
	a[4], a[5] = 'n', 'n'

	// b: the header names but Cookie and Referer, comma-joined; and the
	// count, the flags, the language and the cookies on the way.
	f.list = f.list[:0]
	f.cookies = f.cookies[:0]
	count := 0
	lang := false
	a[8], a[9], a[10], a[11] = '0', '0', '0', '0'
	for len(rest) > 0 {
		line, rest = cutLine(rest)
		if len(line) == 0 {
			break // the blank line ends the head
		}
		if line[0] == ' ' || line[0] == '\t' {
			continue // an obs-fold continuation, not a header
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue // not a header line (net/http refuses those)
		}
		name := line[:colon]
		switch {
		case equalFold(name, "cookie"):
			a[4] = 'c'
			f.addCookies(head, line, colon+1)
			continue
		case equalFold(name, "referer"):
			a[5] = 'r'
			continue
		case !lang && equalFold(name, "accept-language"):
			lang = true
			language(a[8:12], line[colon+1:])
		}
		if count > 0 {
			f.list = append(f.list, ',')
		}
		f.list = append(f.list, name...)
		count++
	}
	count = min(count, 99)
	a[6], a[7] = byte('0'+count/10), byte('0'+count%10)
	f.out[12], f.out[25], f.out[38] = '_', '_', '_'
	hash12(f.out[13:25], f.list)

	// c and d: the cookie names, and the cookies, sorted.
	slices.SortFunc(f.cookies, func(x, y cookieSpan) int {
		if c := bytes.Compare(head[x.start:x.eq], head[y.start:y.eq]); c != 0 {
			return c
		}
		return bytes.Compare(head[x.eq:x.end], head[y.eq:y.end])
	})
	f.list = f.list[:0]
	for i, c := range f.cookies {
		if i > 0 {
			f.list = append(f.list, ',')
		}
		f.list = append(f.list, head[c.start:c.eq]...)
	}
	hash12(f.out[26:38], f.list)
	f.list = f.list[:0]
	for i, c := range f.cookies {
		if i > 0 {
			f.list = append(f.list, ',')
		}
		f.list = append(f.list, head[c.start:c.end]...)
	}
	hash12(f.out[39:51], f.list)
	return f.out[:]
}

// addCookies records the cookies of the Cookie header line, whose value
// starts at line[from:]; line is a subslice of head.
func (f *Fingerprinter) addCookies(head, line []byte, from int) {
	base := cap(head) - cap(line) // line's offset in head
	for i := from; i < len(line); {
		end := i + bytes.IndexByte(line[i:], ';')
		if end < i {
			end = len(line)
		}
		s, e := i, end
		for s < e && (line[s] == ' ' || line[s] == '\t') {
			s++
		}
		for e > s && (line[e-1] == ' ' || line[e-1] == '\t') {
			e--
		}
		if s < e {
			eq := s + bytes.IndexByte(line[s:e], '=')
			if eq < s {
				eq = e
			}
			f.cookies = append(f.cookies, cookieSpan{int32(base + s), int32(base + eq), int32(base + e)})
		}
		i = end + 1
	}
}

// cutLine splits b after its first line, which it returns without its
// line end (LF or CRLF; net/http accepts both).
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		line, rest = b, nil
	} else {
		line, rest = b[:i], b[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// httpVersion reads `HTTP/1.1`, `HTTP/1.0`, `HTTP/2`, `HTTP/2.0`, `HTTP/3`:
// the two digits of the fingerprint.
func httpVersion(v []byte) (major, minor byte, ok bool) {
	d, ok := bytes.CutPrefix(v, []byte("HTTP/"))
	if !ok || len(d) == 0 || !isDigit(d[0]) {
		return 0, 0, false
	}
	switch {
	case len(d) == 1:
		return d[0], '0', true
	case len(d) == 3 && d[1] == '.' && isDigit(d[2]):
		return d[0], d[2], true
	}
	return 0, 0, false
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// codeChar is a method character in the fingerprint: [a-z0-9], else '0'.
func codeChar(b byte) byte {
	switch {
	case 'A' <= b && b <= 'Z':
		return b + 'a' - 'A'
	case 'a' <= b && b <= 'z', isDigit(b):
		return b
	}
	return '0'
}

// language writes the 4 language characters of an Accept-Language value
// into dst, which holds '0's: the first item, cut at `;`, its letters
// lowercased (so `en-US,en;q=0.9` gives enus and `*` gives 0000).
func language(dst, v []byte) {
	n := 0
	for _, b := range v {
		if b == ',' || b == ';' || n == len(dst) {
			return
		}
		switch {
		case 'A' <= b && b <= 'Z':
			dst[n] = b + 'a' - 'A'
			n++
		case 'a' <= b && b <= 'z':
			dst[n] = b
			n++
		}
	}
}

// equalFold reports whether the ASCII name equals lower, which is in lower case.
func equalFold(name []byte, lower string) bool {
	if len(name) != len(lower) {
		return false
	}
	for i, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if b != lower[i] {
			return false
		}
	}
	return true
}

// hash12 writes the first 12 hex digits of the SHA-256 of list into dst,
// or zeros for an empty list.
func hash12(dst, list []byte) {
	if len(list) == 0 {
		copy(dst, zeroHash)
		return
	}
	sum := sha256.Sum256(list)
	hex.Encode(dst, sum[:6])
}
