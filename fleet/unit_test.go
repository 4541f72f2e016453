package fleet

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func TestLineWriter(t *testing.T) {
	long := strings.Repeat("y", maxLine+10)
	tests := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"one line", []string{"a\n"}, []string{"a"}},
		{"split across writes", []string{"he", "llo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"crlf", []string{"a\r\nb\r\n"}, []string{"a", "b"}},
		{"empty lines", []string{"\n\n"}, []string{"", ""}},
		{"no final newline", []string{"a\nb"}, []string{"a", "b"}},
		{"long line capped", []string{long[:100], long[100:] + "\nnext\n"}, []string{long[:maxLine] + truncated, "next"}},
		{"exactly maxLine", []string{long[:maxLine] + "\n"}, []string{long[:maxLine]}},
	}
	for _, tt := range tests {
		rec := newRecorder()
		w := &lineWriter{process: "p", stream: "stdout", log: rec}
		for _, s := range tt.writes {
			if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
				t.Errorf("%s: Write = %d, %v", tt.name, n, err)
			}
		}
		w.flush()
		if got := rec.output("p", "stdout"); !slices.Equal(got, tt.want) {
			t.Errorf("%s: lines %.60q, want %.60q", tt.name, got, tt.want)
		}
		if cap(w.buf) > maxLine+len(long) {
			t.Errorf("%s: buffer grew to %d", tt.name, cap(w.buf))
		}
	}
}

func TestExpandPort(t *testing.T) {
	tests := []struct{ in, port, want string }{
		{"$PORT", "8080", "8080"},
		{"--port=${PORT}", "8080", "--port=8080"},
		{"$PORT/$PORT", "1", "1/1"},
		{"$PORTS $PORT_X ${PORTS}", "1", "$PORTS $PORT_X ${PORTS}"},
		{"$HOME", "1", "$HOME"},
		{"$PORT", "", "$PORT"},
	}
	for _, tt := range tests {
		if got := expandPort(tt.in, tt.port); got != tt.want {
			t.Errorf("expandPort(%q, %q) = %q, want %q", tt.in, tt.port, got, tt.want)
		}
	}
}

func TestSocketDir(t *testing.T) {
	uid := strconv.Itoa(os.Getuid())
	tests := []struct {
		name, opt string
		env       []string
		want      string // a pattern for filepath.Match
		chosen    bool
	}{
		{"option", "/opt/s", []string{"MS_SOCKET_DIR=/x"}, "/opt/s", false},
		{"MS_SOCKET_DIR", "", []string{"XDG_RUNTIME_DIR=/run/user/1", "MS_SOCKET_DIR=/x"}, "/x", false},
		{"XDG_RUNTIME_DIR", "", []string{"XDG_RUNTIME_DIR=/run/user/1"}, "/run/user/1/mothership-????????", true},
		{"temp", "", nil, filepath.Join(os.TempDir(), "mothership-"+uid+"-????????"), true},
	}
	for _, tt := range tests {
		got := socketDir(tt.opt, tt.env, "/srv/app/ship-manifest.toml")
		if ok, _ := filepath.Match(tt.want, got.dir); !ok || got.chosen != tt.chosen {
			t.Errorf("%s: socketDir = %+v, want %q (chosen %v)", tt.name, got, tt.want, tt.chosen)
		}
	}
	a := socketDir("", nil, "/srv/a/ship-manifest.toml")
	b := socketDir("", nil, "/srv/b/ship-manifest.toml")
	if a.dir == b.dir {
		t.Errorf("two manifests share the socket directory %s", a.dir)
	}
}

// TestSocketDirIsMadeSafely: a directory the supervisor chose is created
// 0700, and one planted in its place (a symbolic link, a file, one open to
// others) is refused or closed, never followed.
func TestSocketDirIsMadeSafely(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, dir string)
		want  string // "" when make succeeds
	}{
		{"absent", func(*testing.T, string) {}, ""},
		{"a symbolic link", func(t *testing.T, dir string) {
			if err := os.Symlink(t.TempDir(), dir); err != nil {
				t.Fatal(err)
			}
		}, "is a symbolic link"},
		{"a file", func(t *testing.T, dir string) {
			if err := os.WriteFile(dir, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is not a directory"},
		{"ours but open", func(t *testing.T, dir string) {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "sockets")
		tt.plant(t, dir)
		err := socketPlace{dir: dir, chosen: true}.make()
		if tt.want != "" {
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "MS_SOCKET_DIR") {
				t.Errorf("%s: make: %v, want %q and a way out", tt.name, err, tt.want)
			}
			continue
		}
		fi, serr := os.Lstat(dir)
		if err != nil || serr != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: make: %v; %v, want a directory with mode 0700", tt.name, err, fi.Mode())
		}
	}
}

func TestBackoff(t *testing.T) {
	base := 100 * time.Millisecond
	for n := 1; n <= 4; n++ {
		want := base << (n - 1)
		for range 200 {
			if d := backoff(base, n); d < want*9/10 || d > want*11/10 {
				t.Fatalf("backoff(%s, %d) = %s, want %s ± 10%%", base, n, d, want)
			}
		}
	}
	if d := backoff(time.Hour, 1000); d <= 0 {
		t.Errorf("backoff overflowed: %s", d)
	}
}

func TestGraphErrors(t *testing.T) {
	ship := func(name string, deps ...string) *manifest.Ship {
		return &manifest.Ship{Process: manifest.Process{Name: name, Command: "true", DependsOn: deps}}
	}
	tests := []struct {
		name  string
		ships []*manifest.Ship
		want  string
	}{
		{"cycle", []*manifest.Ship{ship("a", "b"), ship("b", "c"), ship("c", "a")}, "dependency cycle: a → b → c → a"},
		{"unknown", []*manifest.Ship{ship("a", "nope")}, `ship or bay a depends on "nope"`},
		{"healthcheck without bind", []*manifest.Ship{{Process: manifest.Process{Name: "h", Command: "true"}, Healthcheck: &manifest.Healthcheck{Path: "/"}}}, "no bind"},
		{"port not assigned", []*manifest.Ship{{Process: manifest.Process{Name: "p", Command: "true"}, AutoPort: true}}, "AssignPorts"},
	}
	for _, tt := range tests {
		_, err := New(&manifest.Manifest{Ships: tt.ships}, Options{Logger: nopLogger{}})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New error = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := New(&manifest.Manifest{}, Options{}); err == nil {
		t.Errorf("New without a Logger succeeded")
	}
}

func TestAssignPorts(t *testing.T) {
	m := &manifest.Manifest{Ships: []*manifest.Ship{
		{Process: manifest.Process{Name: "a"}, AutoPort: true},
		{Process: manifest.Process{Name: "b", Env: map[string]string{"X": "1"}}, AutoPort: true},
		{Process: manifest.Process{Name: "worker"}},
	}}
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	a, b := m.Ships[0], m.Ships[1]
	if a.Bind == nil || b.Bind == nil || a.Bind.Port() == 0 || a.Bind.Port() == b.Bind.Port() {
		t.Fatalf("binds %v and %v, want two different loopback ports", a.Bind, b.Bind)
	}
	for _, s := range []*manifest.Ship{a, b} {
		if !strings.HasPrefix(s.Bind.Address, "127.0.0.1:") || s.Env["PORT"] != portOf(*s.Bind) {
			t.Errorf("%s: bind %v, PORT %q", s.Name, s.Bind, s.Env["PORT"])
		}
	}
	if b.Env["X"] != "1" || m.Ships[2].Bind != nil {
		t.Errorf("AssignPorts touched what it should not")
	}
}

// TestDeclaredPortsAreNotDrawn: the mothership's own TCP binds and metrics
// address are the ports AssignPorts never gives a ship, as they are free
// when it draws (the proxy listens after it); a unix socket has no port.
func TestDeclaredPortsAreNotDrawn(t *testing.T) {
	m := &manifest.Manifest{}
	m.Mothership.MetricsAddr = manifest.Addr{Network: "tcp", Address: "127.0.0.1:9090"}
	m.Mothership.Binds = []*manifest.Bind{
		{Name: "http", Addr: manifest.Addr{Network: "tcp", Address: "127.0.0.1:8080"}},
		{Name: "admin", Addr: manifest.Addr{Network: "unix", Address: "/run/admin.sock"}},
	}
	if got, want := declaredPorts(m), map[string]bool{"8080": true, "9090": true}; !maps.Equal(got, want) {
		t.Errorf("declared ports %v, want %v", got, want)
	}
}
