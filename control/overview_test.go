package control

import (
	"strings"
	"testing"
	"time"
)

// TestOverviewRow: what each column says for a ready, a starting and a
// failing process.
func TestOverviewRow(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		p    Process
		want string
	}{
		{"ready", Process{Name: "api", Group: "web", Kind: "ship", State: "ready", PID: 42, Healthy: true, Restarts: 1, RSS: 12_900_000, Since: now.Add(-303 * time.Second), Routes: []string{"http prefix /api", "edge prefix /api"}},
			"api|web|ship|ready|42|ok|1|5m03s|12.3M|http prefix /api, edge prefix /api"},
		{"pending", Process{Name: "web", Group: "web", Kind: "ship", State: "pending"}, "web|web|ship|pending|-|-|0|-|-|-"},
		{"failing", Process{Name: "cable", Group: "websocket", Kind: "bay", State: "ready", PID: 7, Since: now.Add(-26 * time.Hour)}, "cable|websocket|bay|ready|7|failing|0|1d02h|-|-"},
	}
	for _, tt := range tests {
		if got := strings.Join(OverviewRow(tt.p, now), "|"); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestUnits: uptimes and sizes at the edges of their units.
func TestUnits(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"seconds", Uptime(59 * time.Second), "59s"},
		{"minutes", Uptime(time.Minute), "1m00s"},
		{"hours", Uptime(2*time.Hour + 5*time.Minute + 59*time.Second), "2h05m"},
		{"negative", Uptime(-time.Second), "0s"},
		{"bytes", Bytes(1000), "1000B"},
		{"kibibytes", Bytes(812 * 1024), "812K"},
		{"gibibytes", Bytes(1536 << 20), "1.50G"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, tt.got, tt.want)
		}
	}
}
