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

// statServable stats name under root, following symlinks that stay in it:
// only regular files and directories are served (a FIFO would block).
func statServable(root *os.Root, name string) (fs.FileInfo, bool) {
	fi, err := root.Stat(name)
	if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		return nil, false
	}
	return fi, true
}
