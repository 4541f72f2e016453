package acme

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/mothership-go/mothership/manifest"
)

// Check is what clearance checks of the acme binds on this machine,
// beyond what the manifest says (names that are DNS names, not IPs or
// wildcards, an https CA: manifest's own checks): that the directory the
// certificates are to be kept in is one this user can create or write.
// A problem is a machine warning: clearance passes elsewhere, run refuses.
// PostgreSQL storage is reached only when the mothership runs.
func Check(m *manifest.Manifest, getenv func(string) string) manifest.Problems {
	var probs manifest.Problems
	for _, b := range m.Mothership.Binds {
		if b.TLS == nil || b.TLS.ACME == nil {
			continue
		}
		a := b.TLS.ACME
		dir, ok := StorageDir(m, a, getenv)
		if !ok {
			continue
		}
		if err := writable(dir); err != nil {
			probs = append(probs, manifest.Problem{File: m.File, Line: a.Pos.Line, Key: a.Pos.Key, Warning: true, Machine: true,
				Message: fmt.Sprintf("the certificates cannot be kept in %s: %v", dir, err)})
		}
	}
	return probs
}

// writable reports why dir could not be created or written to, looking
// at it or its nearest ancestor that exists, without creating anything.
func writable(dir string) error {
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if (errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR)) && p != filepath.Dir(p) {
			continue
		}
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", p)
		}
		if err := unix.Access(p, unix.W_OK|unix.X_OK); err != nil {
			return fmt.Errorf("%s is not writable: %w", p, err)
		}
		return nil
	}
}
