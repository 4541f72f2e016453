package manifest_test

import (
	"path/filepath"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// TestAccessLog reads access_log in each dialect's mothership table: left
// out or true is stdout, false is none, a string is a file relative to the
// manifest, with $VAR expanded.
func TestAccessLog(t *testing.T) {
	warpRoutes := "\n[upstreams.app]\nport = 3000\n\n[[routes]]\npath_prefix = \"/\"\nupstream = \"app\"\n"
	for _, tc := range []struct {
		name, doc string
		off       bool
		file      string // AccessLogFile's name in the manifest's directory, "" for stdout or none
	}{
		{"left out", "[mothership]\ncompression = true\n", false, ""},
		{"true", "[mothership]\naccess_log = true\n", false, ""},
		{"false", "[mothership]\naccess_log = false\n", true, ""},
		{"a relative path", "[mothership]\naccess_log = \"access.log\"\n", false, "access.log"},
		{"an absolute path, expanded", "[mothership]\naccess_log = \"$LOGS/access.log\"\n", false, "access.log"},
		{"blog [config]", "[config]\nbind = \"0.0.0.0:8080\"\naccess_log = false\n", true, ""},
		{"WarpDrive [server]", "[server]\nhttp_port = 8080\naccess_log = \"warp.log\"\n" + warpRoutes, false, "warp.log"},
	} {
		// $LOGS is the manifest's directory, which the file's must be.
		dir := t.TempDir()
		env := func(k string) (string, bool) { return dir, k == "LOGS" }
		m, err := manifest.Parse(filepath.Join(dir, "ship-manifest.toml"), []byte(tc.doc), env)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		want := ""
		if tc.file != "" {
			want = filepath.Join(dir, tc.file)
		}
		if got := m.Mothership.AccessLog.Off; got != tc.off {
			t.Errorf("%s: off %v, want %v", tc.name, got, tc.off)
		}
		if got := m.AccessLogFile(); got != want {
			t.Errorf("%s: file %q, want %q", tc.name, got, want)
		}
	}
}
