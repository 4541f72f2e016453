package telemetry

import (
	"testing"

	"github.com/mothership-go/mothership/docking"
)

func TestBayMetrics(t *testing.T) {
	m := NewMetrics()
	m.Bays(func() []docking.BerthStats {
		return []docking.BerthStats{
			{Name: "cable", Version: docking.VersionWebSocket, Docked: true, Passengers: 12},
			{Name: "rack", Version: docking.VersionHTTP, Docked: true, Idle: 3, Busy: 1},
			{Name: "down", Version: docking.VersionHTTP},
		}
	})
	fams := scrape(t, serve(t, m.Handler()))
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"mothership_bay_docked", map[string]string{"bay": "cable"}, 1},
		{"mothership_bay_docked", map[string]string{"bay": "down"}, 0},
		{"mothership_bay_passengers", map[string]string{"bay": "cable"}, 12},
		{"mothership_bay_links", map[string]string{"bay": "rack", "state": "idle"}, 3},
		{"mothership_bay_links", map[string]string{"bay": "rack", "state": "busy"}, 1},
		{"mothership_bay_links", map[string]string{"bay": "down", "state": "idle"}, 0},
	} {
		if got, ok := value(fams, tc.name, tc.labels); !ok || got != tc.want {
			t.Errorf("%s%v = %v (present %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	if _, ok := value(fams, "mothership_bay_links", map[string]string{"bay": "cable", "state": "idle"}); ok {
		t.Error("a WebSocket bay has link series")
	}
	if _, ok := value(fams, "mothership_bay_passengers", map[string]string{"bay": "rack"}); ok {
		t.Error("an HTTP bay has a passengers series")
	}
}
