package telemetry

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// TestRouteTable: requests are counted per route by status class, the
// percentiles land within a bucket of the truth, and a route compiled again
// keeps its counts.
func TestRouteTable(t *testing.T) {
	tab := NewRouteTable()
	r := &routetree.Route{Index: 2, Bind: "web", Target: manifest.Target{Kind: manifest.TargetShip, Name: "api"}}
	api := tab.Route(r)
	for i := range 100 {
		status := 200
		if i%10 == 0 {
			status = 503
		}
		api.Observe(status, time.Duration(i+1)*time.Millisecond)
	}
	tab.NoRoute("web").Observe(404, time.Millisecond)
	first := tab.Snapshot()
	tab.Route(r).Observe(0, time.Hour)
	snap := tab.Snapshot()

	if len(snap) != 2 {
		t.Fatalf("%d routes, want 2: %+v", len(snap), snap)
	}
	tests := []struct {
		name   string
		got    RouteCounts
		route  string
		target string
		total  uint64
		class  [6]uint64
		p50    time.Duration
		p99    time.Duration
	}{
		{"api", snap[0], "#2 ", "ship api", 101, [6]uint64{1, 0, 90, 0, 0, 10}, 51 * time.Millisecond, 100 * time.Millisecond},
		{"none", snap[1], "none", "404", 1, [6]uint64{0, 0, 0, 0, 1, 0}, time.Millisecond, time.Millisecond},
		{"api since the first snapshot", snap[0].Minus(first[0]), "#2 ", "ship api", 1, [6]uint64{1, 0, 0, 0, 0, 0}, time.Minute, time.Minute},
	}
	for _, tt := range tests {
		if tt.got.Route != tt.route || tt.got.Target != tt.target || tt.got.Bind != "web" {
			t.Errorf("%s: named %s %q → %q, want web %q → %q", tt.name, tt.got.Bind, tt.got.Route, tt.got.Target, tt.route, tt.target)
		}
		if tt.got.Total() != tt.total || tt.got.Classes != tt.class {
			t.Errorf("%s: %d requests %v, want %d %v", tt.name, tt.got.Total(), tt.got.Classes, tt.total, tt.class)
		}
		for _, q := range []struct {
			q    float64
			want time.Duration
		}{{0.5, tt.p50}, {0.99, tt.p99}} {
			// A bucket is a quarter wide; the slowest bucket holds what is past it.
			if got := tt.got.Quantile(q.q); got < q.want || got > q.want*5/4+time.Microsecond && q.want < time.Minute {
				t.Errorf("%s: p%v = %s, want %s to %s", tt.name, q.q*100, got, q.want, q.want*5/4)
			}
		}
	}
}

// TestRouteStatObserveAllocs: Observe is on the request path.
func TestRouteStatObserveAllocs(t *testing.T) {
	s := NewRouteTable().NoRoute("web")
	if n := testing.AllocsPerRun(1000, func() { s.Observe(200, time.Millisecond) }); n != 0 {
		t.Errorf("Observe allocates %v times, want 0", n)
	}
}

func BenchmarkRouteStatObserve(b *testing.B) {
	s := NewRouteTable().NoRoute("web")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Observe(200, time.Duration(i%1000)*time.Microsecond)
	}
}
