package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func TestLimits(t *testing.T) {
	cases := []struct {
		name, table string
		want        manifest.Limits
		err         string
	}{
		{"none: all defaults", "", manifest.Limits{}, ""},
		{"every key", `header_timeout = "5s"
idle_timeout = "30s"
body_timeout = "20s"
send_timeout = "15s"
max_target = 4096
max_header_bytes = 32768
max_header_fields = 50
request_buffer = 1024
max_connections = 500
max_connections_per_client = 20`, manifest.Limits{HeaderTimeout: 5 * time.Second, IdleTimeout: 30 * time.Second, BodyTimeout: 20 * time.Second, SendTimeout: 15 * time.Second, MaxTarget: 4096, MaxHeaderBytes: 32768, MaxHeaderFields: 50, RequestBuffer: 1024,
			MaxConnections: 500, MaxConnectionsPerClient: 20}, ""},
		{"a connection cap of 0", "max_connections_per_client = 0", manifest.Limits{}, "max_connections_per_client"},
		{"buffering off", "request_buffer = false", manifest.Limits{RequestBuffer: -1}, ""},
		{"a typo is an error", "max_targte = 10", manifest.Limits{}, "max_targte"},
		{"out of range", "max_target = 1", manifest.Limits{}, "max_target"},
	}
	for _, tc := range cases {
		doc := "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n"
		if tc.table != "" {
			doc += "\n[mothership.limits]\n" + tc.table + "\n"
		}
		m, err := manifest.Parse("limits.toml", []byte(doc), func(string) (string, bool) { return "", false })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "limits.toml:") {
				t.Errorf("%s: got error %v, want one naming %q with its line", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if m.Mothership.Limits != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, m.Mothership.Limits, tc.want)
		}
	}
}
