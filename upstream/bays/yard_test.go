package bays

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
)

func TestMooredConfigIsStrings(t *testing.T) {
	got := mooredConfig(map[string]any{
		"name":    "cable",
		"port":    int64(8080),
		"ratio":   0.5,
		"debug":   true,
		"since":   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		"hosts":   []any{"a", "b"},
		"headers": map[string]any{"x": int64(1)},
	})
	want := map[string]string{"name": "cable", "port": "8080", "ratio": "0.5", "debug": "true", "since": "2026-01-02T03:04:05Z", "hosts": `["a","b"]`, "headers": `{"x":1}`}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d keys, want %d", len(got), len(want))
	}
}

func TestBerthFamilies(t *testing.T) {
	for _, tc := range []struct {
		family string
		want   int
	}{{"websocket", docking.VersionWebSocket}, {"http", docking.VersionHTTP}} {
		if got := berthConfig("b", tc.family, nil, 0, nil).Version; got != tc.want {
			t.Errorf("%s: version %d, want %d", tc.family, got, tc.want)
		}
	}
}
