// Package testfs lays out directory trees for tests: files with their
// contents and symlinks, as the static-file tests and fuzz targets need to
// put secrets next to a served root and links pointing out of it.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Lay writes files (path relative to base → content), creating their
// directories, then creates links (path → target, as os.Symlink takes it).
func Lay(tb testing.TB, base string, files, links map[string]string) {
	tb.Helper()
	for name, body := range files {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for link, to := range links {
		if err := os.Symlink(to, filepath.Join(base, link)); err != nil {
			tb.Fatal(err)
		}
	}
}
