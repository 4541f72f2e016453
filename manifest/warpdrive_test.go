package manifest_test

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// TestWarpDriveBindsLoopbackByDefault: WarpDrive's http_port and
// https_port listen on 127.0.0.1 unless [server] host says where.
func TestWarpDriveBindsLoopbackByDefault(t *testing.T) {
	routes := "\n[upstreams.app]\nhost = \"127.0.0.1\"\nport = 3000\n\n[[routes]]\npath_prefix = \"/\"\nupstream = \"app\"\n"
	for _, tc := range []struct{ name, server, want, err string }{
		{"no [server]", "", "127.0.0.1:8080", ""},
		{"a port only", "[server]\nhttp_port = 9000\n", "127.0.0.1:9000", ""},
		{"every interface", "[server]\nhttp_port = 9000\nhost = \"0.0.0.0\"\n", "0.0.0.0:9000", ""},
		{"not an address", "[server]\nhost = \"everywhere\"\n", "", `warp.toml:2: server.host: "everywhere" is not an IP address`},
	} {
		m, err := manifest.Parse("warp.toml", []byte(tc.server+routes), func(string) (string, bool) { return "", false })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := m.Mothership.Binds[0].Addr.Address; got != tc.want {
			t.Errorf("%s: bind http on %s, want %s", tc.name, got, tc.want)
		}
	}
}
