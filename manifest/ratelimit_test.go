package manifest_test

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// TestRateLimitingStore reads the keys that share the limits through a
// store: $REDIS_URL expands, and the interval and prefix take defaults.
func TestRateLimitingStore(t *testing.T) {
	cases := []struct {
		name, doc string
		want      manifest.RateLimiting
	}{
		{"store from the environment, defaults", "[mothership.rate_limiting]\nper_ip_rpm = 60\nstore = \"$REDIS_URL\"\n",
			manifest.RateLimiting{PerIPRPM: 60, Store: "redis://cache:6379/0", SyncInterval: manifest.DefaultSyncInterval, Prefix: "mothership:rl:"}},
		{"interval and prefix set", "[mothership.rate_limiting]\nglobal_rps = 100\nstore = \"rediss://cache:6380\"\nsync_interval = \"100ms\"\nprefix = \"app1:\"\n",
			manifest.RateLimiting{GlobalRPS: 100, Store: "rediss://cache:6380", SyncInterval: 100 * time.Millisecond, Prefix: "app1:"}},
		{"no store: local limits", "[mothership.rate_limiting]\nglobal_rps = 0.5\n",
			manifest.RateLimiting{GlobalRPS: 0.5, SyncInterval: manifest.DefaultSyncInterval, Prefix: "mothership:rl:"}},
	}
	for _, tc := range cases {
		m, err := manifest.Parse("case.toml", []byte(tc.doc), lookupFrom(map[string]string{"REDIS_URL": "redis://cache:6379/0"}))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := m.Mothership.RateLimiting; got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
