package routetree

import "strings"

// maxHost is the longest host name DNS allows; longer ones match no host route.
const maxHost = 255

// hostOnly drops the port and a trailing dot from a Host header value.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return strings.TrimSuffix(h, ".")
}

// exactHost finds the trie of an exact host, comparing case-insensitively
// without allocating: a lower-case copy goes through a stack buffer, and Go
// does not allocate for a map index by string(bytes).
func (bt *BindTree) exactHost(host string) *node {
	if len(bt.exact) == 0 || len(host) > maxHost {
		return nil
	}
	if !hasUpper(host) {
		return bt.exact[host]
	}
	var buf [maxHost]byte
	for i := 0; i < len(host); i++ {
		c := host[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return bt.exact[string(buf[:len(host)])]
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// matchesWild reports whether host is under a `*.suffix` host; suffix is
// stored as ".suffix" in lower case, and at least one byte must precede it.
// Host names are ASCII, so case folds in ASCII only.
func matchesWild(host, suffix string) bool {
	if len(host) <= len(suffix) {
		return false
	}
	tail := host[len(host)-len(suffix):]
	for i := 0; i < len(tail); i++ {
		c := tail[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != suffix[i] {
			return false
		}
	}
	return true
}
