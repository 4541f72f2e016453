package static

import (
	"io/fs"
	"os"
	"strings"
)

// fileName turns the part of the path under the prefix into a name for
// os.Root, or refuses it: `.` and `..` segments, empty ones, backslashes
// and NULs. The path is already percent-decoded, so `%2e%2e` is `..` here.
func fileName(rel string) (string, bool) {
	rel = strings.TrimPrefix(rel, "/")
	rel = strings.TrimSuffix(rel, "/")
	if rel == "" {
		return ".", true
	}
	if strings.ContainsAny(rel, "\\\x00") {
		return "", false
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return rel, true
}

// isDotName reports whether a segment of name, a name fileName returned,
// starts with '.' (`.env`, `.git/config`, `a/.htpasswd`): such files hold
// secrets more often than pages. `.well-known` as the first segment is not
// one: RFC 8615 puts ACME challenges and security.txt there.
func isDotName(name string) bool {
	if name == "." {
		return false
	}
	for i, seg := range strings.Split(name, "/") {
		if strings.HasPrefix(seg, ".") && !(i == 0 && seg == ".well-known") {
			return true
		}
	}
	return false
}

// statServable stats name under root, following symlinks that stay in it:
// only regular files and directories are served (a FIFO would block).
func statServable(root *os.Root, name string) (fs.FileInfo, bool) {
	fi, err := root.Stat(name)
	if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		return nil, false
	}
	return fi, true
}
