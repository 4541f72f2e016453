package manifest

import (
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
)

// MaxSocketPath is the longest Unix socket path every platform's sun_path
// holds (104 bytes on the BSDs and macOS, 108 on Linux, less the NUL).
const MaxSocketPath = 103

// readControlSocket reads `control_socket`, which, when given, must name a
// file. It expands $VAR, so that instances of one manifest on one machine
// can each have a socket, as they each have their binds.
func readControlSocket(t *table) string {
	if !t.has("control_socket") {
		return ""
	}
	s, ok := t.expanded("control_socket")
	if !ok {
		return ""
	}
	if s == "" {
		t.r.errorf(t.key("control_socket"), "an empty path; leave the key out for the default")
	}
	return s
}

// ControlSocketPath is where the running mothership of this manifest
// listens for `status`, `restart` and `tui`: `control_socket`, relative to
// the manifest's directory; by default a socket in $XDG_RUNTIME_DIR (the
// user's own directory) named for the manifest's path, so that two
// manifests on one machine get two sockets; without $XDG_RUNTIME_DIR,
// `.mothership.sock` next to the manifest. getenv reads the environment.
func (m *Manifest) ControlSocketPath(getenv func(string) string) string {
	if p := m.Mothership.ControlSocket; p != "" {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(m.Dir, p)
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "mothership-"+m.pathHash()+".sock")
	}
	return filepath.Join(m.Dir, ".mothership.sock")
}

// pathHash is a short hash of the manifest's absolute path, which names
// what belongs to this manifest among others on the machine.
func (m *Manifest) pathHash() string {
	h := fnv.New32a()
	h.Write([]byte(filepath.Join(m.Dir, filepath.Base(m.File))))
	return fmt.Sprintf("%08x", h.Sum32())
}

// DataDir is where this manifest's lasting state is kept (its automatic
// certificates): $XDG_DATA_HOME/mothership/<hash of the manifest's path>,
// else ~/.local/share/mothership/<hash>. getenv reads the environment.
func (m *Manifest) DataDir(getenv func(string) string) string {
	base := getenv("XDG_DATA_HOME")
	if base == "" {
		base = filepath.Join(getenv("HOME"), ".local", "share")
	}
	return filepath.Join(base, "mothership", m.pathHash())
}

// checkControlSocket refuses a control socket that could not be listened
// on: a path too long for a Unix socket, or in a directory that is not there.
func checkControlSocket(r *reader, m *Manifest) {
	if m.Mothership.ControlSocket == "" {
		return
	}
	key := "mothership.control_socket"
	p := m.ControlSocketPath(os.Getenv)
	if len(p) > MaxSocketPath {
		r.errorf(key, "the socket path %s is %d bytes, more than the %d a Unix socket path may have", p, len(p), MaxSocketPath)
		return
	}
	if fi, err := os.Stat(filepath.Dir(p)); err != nil || !fi.IsDir() {
		r.errorf(key, "the directory of %s does not exist", p)
	}
}
