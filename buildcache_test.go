package main

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// packageDir is the directory the tests started in, the module's root,
// read before any test changes directory.
var packageDir = func() string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return wd
}()

// cachedBuild calls build with a directory that keeps what the last test
// run built in it: one of the user's cache (mothership-tests, which may be
// removed at any time) per checkout and name. go build leaves an output
// whose build ID matches its inputs as it is, so a run links only what
// changed since the last one, not the same binaries again (seconds of CPU
// each). The directory is locked while build runs, against a run of the
// same checkout's tests at the same time; cachedBuild returns a directory
// of this run's own with hard links to (or copies of) the files build left
// there, which a later build, replacing them with new files, leaves as
// they are. Without a cache directory that it can lock, build gets a
// fresh one.
func cachedBuild(name string, build func(dir string) error) (string, error) {
	run, err := builtDir("mothership-" + name)
	if err != nil {
		return "", err
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return run, build(run)
	}
	h := fnv.New64a()
	h.Write([]byte(packageDir))
	cache := filepath.Join(base, "mothership-tests", fmt.Sprintf("%016x", h.Sum64()), name)
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return run, build(run)
	}
	lock, err := os.OpenFile(filepath.Join(cache, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return run, build(run)
	}
	defer lock.Close() // which releases the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return run, build(run)
	}
	if err := build(cache); err != nil {
		return "", err
	}
	return run, linkFiles(cache, run)
}

// linkFiles hard-links every regular file of from, but the dotfiles, into
// to, or copies it where no link can be made (another file system).
func linkFiles(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		src, dst := filepath.Join(from, e.Name()), filepath.Join(to, e.Name())
		if os.Link(src, dst) == nil {
			continue
		}
		if err := copyFile(src, dst); err != nil {
			return fmt.Errorf("copying the build %s: %w", src, err)
		}
	}
	return nil
}

// copyFile copies src, an executable, to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
