package manifest

import (
	"strings"
	"testing"
)

// TestControlSocketPath: the key wins, relative to the manifest; then
// $XDG_RUNTIME_DIR, one socket per manifest; then next to the manifest.
func TestControlSocketPath(t *testing.T) {
	m := func(key, file string) *Manifest {
		return &Manifest{File: file, Dir: "/srv/app", Mothership: Mothership{ControlSocket: key}}
	}
	env := func(xdg string) func(string) string {
		return func(k string) string {
			if k == "XDG_RUNTIME_DIR" {
				return xdg
			}
			return ""
		}
	}
	a := m("", "ship-manifest.toml").ControlSocketPath(env("/run/user/1000"))
	b := m("", "other.toml").ControlSocketPath(env("/run/user/1000"))
	tests := []struct{ name, got, want string }{
		{"relative key", m("run/ms.sock", "").ControlSocketPath(env("/run/user/1000")), "/srv/app/run/ms.sock"},
		{"absolute key", m("/tmp/ms.sock", "").ControlSocketPath(env("/run/user/1000")), "/tmp/ms.sock"},
		{"no runtime dir", m("", "ship-manifest.toml").ControlSocketPath(env("")), "/srv/app/.mothership.sock"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, tt.got, tt.want)
		}
	}
	if a == b || len(a) < len("/run/user/1000/mothership-") || a[:len("/run/user/1000/mothership-")] != "/run/user/1000/mothership-" {
		t.Errorf("runtime dir sockets %s and %s: want two sockets in /run/user/1000, one per manifest", a, b)
	}
}

// TestControlSocketExpands: `control_socket` expands $VAR, so that
// instances of one manifest on one machine each get a socket; an unset
// variable is an error naming the key.
func TestControlSocketExpands(t *testing.T) {
	dir := t.TempDir()
	lookup := func(k string) (string, bool) {
		if k == "SOCK_DIR" {
			return dir, true
		}
		return "", false
	}
	m, err := Parse(dir+"/ship-manifest.toml", []byte("[mothership]\ncontrol_socket = \"$SOCK_DIR/ms.sock\"\n"), lookup)
	if err != nil || m.ControlSocketPath(func(string) string { return "" }) != dir+"/ms.sock" {
		t.Errorf("control_socket from $SOCK_DIR: %v, %v; want %s/ms.sock", m, err, dir)
	}
	_, err = Parse(dir+"/ship-manifest.toml", []byte("[mothership]\ncontrol_socket = \"$NOPE/ms.sock\"\n"), lookup)
	if err == nil || !strings.Contains(err.Error(), "mothership.control_socket") || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("control_socket from an unset variable: %v, want an error naming the key and the variable", err)
	}
}
