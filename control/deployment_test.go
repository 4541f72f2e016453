package control

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// TestDeploymentLine: what the overview says of a deployment before its
// first sync, sharing, and in fallback.
func TestDeploymentLine(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const store = "redis://:xxxxx@cache:6379/0"
	tests := []struct {
		name string
		d    telemetry.Deployment
		want string
	}{
		{"before the first sync", telemetry.Deployment{Store: store},
			"deployment redis://:xxxxx@cache:6379/0 · 0 servers · not synced yet · 0 syncs, 0 failed"},
		{"sharing", telemetry.Deployment{Store: store, Servers: 3, LastSync: now.Add(-120 * time.Millisecond), Syncs: 1520},
			"deployment redis://:xxxxx@cache:6379/0 · 3 servers · synced 120ms ago · 1520 syncs, 0 failed"},
		{"alone", telemetry.Deployment{Store: store, Servers: 1, LastSync: now.Add(-90 * time.Second), Syncs: 7, Failures: 1},
			"deployment redis://:xxxxx@cache:6379/0 · 1 server · synced 1m30s ago · 7 syncs, 1 failed"},
		{"in fallback", telemetry.Deployment{Store: store, Servers: 3, LastSync: now.Add(-80 * time.Millisecond), Syncs: 1610, Failures: 12, Fallback: true, LastError: "dial tcp: connection refused"},
			"deployment redis://:xxxxx@cache:6379/0 · FALLBACK: the store is unreachable, each server limits to its share of 3 · synced 80ms ago · 1610 syncs, 12 failed · dial tcp: connection refused"},
	}
	for _, tt := range tests {
		d := deployment(tt.d, now)
		if got := DeploymentLine(*d); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}
