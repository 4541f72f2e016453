package fleet

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// socketPlace is the bays' socket directory and whether the supervisor
// chose it: a chosen one is private, so it is created and checked strictly.
type socketPlace struct {
	dir    string
	chosen bool
}

// socketDir picks the bays' socket directory: the option, else
// $MS_SOCKET_DIR as given; else one of the supervisor's own, named for the
// manifest so that two manifests never share one: in $XDG_RUNTIME_DIR
// (private to the user, cleaned at logout), else in the temporary
// directory, named for the user too, since /tmp is shared.
func socketDir(opt string, env []string, manifestPath string) socketPlace {
	if opt != "" {
		return socketPlace{dir: opt}
	}
	if d, ok := lookupEnv(env, "MS_SOCKET_DIR"); ok && d != "" {
		return socketPlace{dir: d}
	}
	h := fnv.New32a()
	h.Write([]byte(manifestPath))
	name := fmt.Sprintf("mothership-%08x", h.Sum32())
	if d, ok := lookupEnv(env, "XDG_RUNTIME_DIR"); ok && d != "" {
		return socketPlace{dir: filepath.Join(d, name), chosen: true}
	}
	name = "mothership-" + strconv.Itoa(os.Getuid()) + name[len("mothership"):]
	return socketPlace{dir: filepath.Join(os.TempDir(), name), chosen: true}
}

// manifestKey is the manifest's absolute path, which names its socket
// directory.
func manifestKey(dir, file string) string {
	return filepath.Join(dir, filepath.Base(file))
}

// make creates the directory. One the supervisor chose is made with mode
// 0700 and, when it exists already, used only if it is a real directory
// (not a symbolic link someone planted), owned by this user and closed to
// others: else another user could read or replace the bays' sockets.
func (s socketPlace) make() error {
	if !s.chosen {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			return fmt.Errorf("fleet: socket directory for bays: %w", err)
		}
		return nil
	}
	if err := os.Mkdir(s.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("fleet: socket directory for bays: %w", err)
	}
	fi, err := os.Lstat(s.dir)
	if err != nil {
		return fmt.Errorf("fleet: socket directory for bays: %w", err)
	}
	refuse := func(why string) error {
		return fmt.Errorf("fleet: socket directory for bays %s %s; remove it, or set MS_SOCKET_DIR", s.dir, why)
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return refuse("is a symbolic link, which mothership does not follow")
	case !fi.IsDir():
		return refuse("is not a directory")
	case st == nil || int(st.Uid) != os.Getuid():
		return refuse("belongs to another user")
	case fi.Mode().Perm()&0o077 != 0:
		// Ours, but open to others: close it.
		if err := os.Chmod(s.dir, 0o700); err != nil {
			return fmt.Errorf("fleet: socket directory for bays: %w", err)
		}
	}
	return nil
}
