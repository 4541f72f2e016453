//go:build !noja4h

package ja4h

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
)

// Enabled is true in a build that computes JA4H.
const Enabled = true

// zeroHash is the hash of an empty list (FoxIO Rust and Rama).
const zeroHash = "000000000000"

// Fingerprinter computes JA4H fingerprints. It keeps its scratch space
// between calls, so that once warmed up a fingerprint costs no allocation.
// It is not safe for concurrent use; an engine keeps one per connection.
type Fingerprinter struct {
	out     [Len]byte
	list    []byte   // a comma-joined list, hashed
	cookies []cookie // the request's cookies, to sort
	// The last hash of each of parts b, c and d, with what it hashed: the
	// requests of one connection mostly repeat their field names and
	// cookies, and comparing a list costs a fraction of hashing it.
	memo [3]hashMemo
}

// memoMax is the longest list a hashMemo keeps: a connection holds at most
// three such copies, beside its 8 KiB read buffer; a longer list (a big
// Cookie) is hashed every time.
const memoMax = 1 << 10

// hashMemo is one part's last hash12 and its list.
type hashMemo struct {
	list []byte
	sum  [12]byte
	set  bool
}

// hash12 is the package's hash12, reusing the last result when list is
// the one hashed last time.
func (m *hashMemo) hash12(dst, list []byte) {
	if m.set && bytes.Equal(m.list, list) {
		copy(dst, m.sum[:])
		return
	}
	hash12(dst, list)
	m.set = len(list) <= memoMax
	if m.set {
		copy(m.sum[:], dst)
		m.list = append(m.list[:0], list...)
	}
}

// cookie is one cookie, `name=value` (or just `name`), s[:eq] its name.
type cookie struct {
	s  string
	eq int
}

// Fingerprint returns the fingerprint of a request with the method,
// version major.minor (each 0–9) and header fields. The result points into
// f and is valid until the next call.
func (f *Fingerprinter) Fingerprint(method string, major, minor byte, h Fields) []byte {
	a := f.out[:12]
	a[0], a[1] = '0', '0'
	if len(method) > 0 {
		a[0] = codeChar(method[0])
	}
	if len(method) > 1 {
		a[1] = codeChar(method[1])
	}
	a[2], a[3] = '0'+min(major, 9), '0'+min(minor, 9)
	a[4], a[5] = 'n', 'n'
	a[8], a[9], a[10], a[11] = '0', '0', '0', '0'

	// b: the header names but Cookie and Referer, comma-joined; and the
	// count, the flags, the language and the cookies on the way.
	f.list = f.list[:0]
	f.cookies = f.cookies[:0]
	count, lang := 0, false
	for i := range h.Len() {
		name := h.Name(i)
		switch {
		case httpsyntax.EqualFold(name, "cookie"):
			a[4] = 'c'
			f.addCookies(h.Value(i))
			continue
		case httpsyntax.EqualFold(name, "referer"):
			a[5] = 'r'
			continue
		case !lang && httpsyntax.EqualFold(name, "accept-language"):
			lang = true
			language(a[8:12], h.Value(i))
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
	f.memo[0].hash12(f.out[13:25], f.list)

	// c and d: the cookie names, and the cookies, sorted.
	slices.SortFunc(f.cookies, func(x, y cookie) int {
		if c := strings.Compare(x.s[:x.eq], y.s[:y.eq]); c != 0 {
			return c
		}
		return strings.Compare(x.s[x.eq:], y.s[y.eq:])
	})
	f.list = f.list[:0]
	for i, c := range f.cookies {
		if i > 0 {
			f.list = append(f.list, ',')
		}
		f.list = append(f.list, c.s[:c.eq]...)
	}
	f.memo[1].hash12(f.out[26:38], f.list)
	f.list = f.list[:0]
	for i, c := range f.cookies {
		if i > 0 {
			f.list = append(f.list, ',')
		}
		f.list = append(f.list, c.s...)
	}
	f.memo[2].hash12(f.out[39:51], f.list)
	return f.out[:]
}

// addCookies records the cookies of one Cookie field value.
func (f *Fingerprinter) addCookies(v string) {
	for v != "" {
		var c string
		if i := strings.IndexByte(v, ';'); i >= 0 {
			c, v = v[:i], v[i+1:]
		} else {
			c, v = v, ""
		}
		c = httpsyntax.TrimOWS(c)
		if c == "" {
			continue
		}
		eq := strings.IndexByte(c, '=')
		if eq < 0 {
			eq = len(c)
		}
		f.cookies = append(f.cookies, cookie{s: c, eq: eq})
	}
}

// codeChar is a method character in the fingerprint: [a-z0-9], else '0'.
func codeChar(b byte) byte {
	switch {
	case 'A' <= b && b <= 'Z':
		return b + 'a' - 'A'
	case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return b
	}
	return '0'
}

// language writes the 4 language characters of an Accept-Language value
// into dst, which holds '0's: the first item, cut at `;`, its letters
// lowercased (so `en-US,en;q=0.9` gives enus and `*` gives 0000).
func language(dst []byte, v string) {
	n := 0
	for i := 0; i < len(v); i++ {
		b := v[i]
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
