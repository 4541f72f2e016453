package telemetry

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const routesDoc = `
[mothership.bind]
http = "127.0.0.1:8080"

[[fleet.web]]
name = "app"
command = "app"
routes = [
  { bind = "http", pattern = "/api/.*" },
  { bind = "http", pattern = "/.*" },
]
`

// compiledRoute compiles routesDoc and returns the route that serves path.
func compiledRoute(t testing.TB, path string) *routetree.Route {
	t.Helper()
	m, err := manifest.Parse("test.toml", []byte(routesDoc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	r := tree.Lookup("http", &routetree.Request{Method: "GET", Path: path})
	if r == nil {
		t.Fatalf("no route for %s", path)
	}
	return r
}

// serve runs h on a metrics listener for the test's lifetime and returns its
// base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv, ln, err := ListenMetrics("127.0.0.1:0", h)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// scrape fetches /metrics and parses it as the Prometheus text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v", err)
	}
	return fams
}

// value finds the sample of family name with exactly the labels, and
// returns a gauge's or counter's value or a histogram's count.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	fam := fams[name]
	if fam == nil {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, lp := range m.GetLabel() {
			if labels[lp.GetName()] != lp.GetValue() {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsScrape(t *testing.T) {
	m := NewMetrics()
	m.State("app", "web", fleet.Starting)
	m.State("app", "web", fleet.Ready)
	m.Health("app", "web", true)
	m.Memory("app", "web", 52428800, 1073741824)
	m.State("worker", "workers", fleet.Backoff)
	m.Restart("worker", "workers")
	m.Restart("worker", "workers")
	m.Health("worker", "workers", false)
	m.State("migrate", "jobs", fleet.Ready)
	m.State("migrate", "jobs", fleet.Ready) // seen twice, counted once
	m.SetPhase(fleet.Running)

	api := m.Route(compiledRoute(t, "/api/users"))
	for _, status := range []int{200, 201, 204, 101, 304, 404, 502, 0} {
		api.Observe(status, 3*time.Millisecond)
	}
	m.NoRoute("http").Observe(404, time.Millisecond)

	fams := scrape(t, serve(t, m.Handler()))
	app := map[string]string{"ship": "app", "group": "web"}
	worker := map[string]string{"ship": "worker", "group": "workers"}
	apiRoute := func(class string) map[string]string {
		return map[string]string{"bind": "http", "route": "#0 prefix /api/.*", "status_class": class}
	}
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"ready ship status", "mothership_ship_status", app, 1},
		{"backoff ship status", "mothership_ship_status", worker, 0},
		{"ready state", "mothership_ship_state", map[string]string{"ship": "app", "group": "web", "state": "ready"}, 1},
		{"past state", "mothership_ship_state", map[string]string{"ship": "app", "group": "web", "state": "starting"}, 0},
		{"backoff state", "mothership_ship_state", map[string]string{"ship": "worker", "group": "workers", "state": "backoff"}, 1},
		{"healthy", "mothership_ship_healthy", app, 1},
		{"unhealthy", "mothership_ship_healthy", worker, 0},
		{"no restarts yet", "mothership_ship_restarts_total", app, 0},
		{"restarts", "mothership_ship_restarts_total", worker, 2},
		{"rss", "mothership_ship_memory_rss_bytes", app, 52428800},
		{"virtual", "mothership_ship_memory_virtual_bytes", app, 1073741824},
		{"fleet total", "mothership_fleet_ships", map[string]string{}, 3},
		{"phase running", "mothership_phase", map[string]string{"phase": "Running"}, 1},
		{"phase left", "mothership_phase", map[string]string{"phase": "Initializing"}, 0},
		{"1xx", "mothership_requests_total", apiRoute("1xx"), 1},
		{"2xx", "mothership_requests_total", apiRoute("2xx"), 3},
		{"3xx", "mothership_requests_total", apiRoute("3xx"), 1},
		{"4xx", "mothership_requests_total", apiRoute("4xx"), 1},
		{"5xx", "mothership_requests_total", apiRoute("5xx"), 1},
		{"other", "mothership_requests_total", apiRoute("other"), 1},
		{"no route", "mothership_requests_total", map[string]string{"bind": "http", "route": "none", "status_class": "4xx"}, 1},
		{"histogram count", "mothership_request_duration_seconds", map[string]string{"bind": "http", "route": "#0 prefix /api/.*"}, 8},
		{"no route histogram count", "mothership_request_duration_seconds", map[string]string{"bind": "http", "route": "none"}, 1},
	}
	for _, tc := range tests {
		got, ok := value(fams, tc.metric, tc.labels)
		if !ok {
			t.Errorf("%s: no %s%v in the scrape", tc.name, tc.metric, tc.labels)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: %s%v = %v, want %v", tc.name, tc.metric, tc.labels, got, tc.want)
		}
	}
	if _, ok := value(fams, "mothership_ship_healthy", map[string]string{"ship": "migrate", "group": "jobs"}); ok {
		t.Errorf("a process without a health verdict has a mothership_ship_healthy series")
	}
	if fams["go_goroutines"] == nil {
		t.Errorf("the Go runtime collector is not registered")
	}
	// The dashboard's route counts are the same requests the scrape shows.
	routes := m.Routes()
	if len(routes) != 2 || routes[0].Route != "#0 prefix /api/.*" || routes[0].Total() != 8 || routes[1].Route != "none" || routes[1].Total() != 1 {
		t.Errorf("Routes() = %+v, want #0 prefix /api/.* with 8 requests, then none with 1", routes)
	}
}

func TestRouteObserverDoesNotAllocate(t *testing.T) {
	m := NewMetrics()
	observers := []struct {
		name string
		obs  interface{ Observe(int, time.Duration) }
	}{
		{"route", m.Route(compiledRoute(t, "/api/x"))},
		{"no route", m.NoRoute("http")},
	}
	for _, o := range observers {
		for _, status := range []int{101, 200, 302, 404, 503, 0, 999} {
			allocs := testing.AllocsPerRun(1000, func() { o.obs.Observe(status, 1500*time.Microsecond) })
			if allocs != 0 {
				t.Errorf("%s: Observe(%d) allocates %v times per call", o.name, status, allocs)
			}
		}
	}
}

func BenchmarkRouteObserve(b *testing.B) {
	obs := NewMetrics().Route(compiledRoute(b, "/api/x"))
	b.ReportAllocs()
	for b.Loop() {
		obs.Observe(200, time.Millisecond)
	}
}

// TestMetricsConcurrent runs the observers and a scrape at once, for the
// race detector.
func TestMetricsConcurrent(t *testing.T) {
	m := NewMetrics()
	base := serve(t, m.Handler())
	obs := m.Route(compiledRoute(t, "/"))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			name := fmt.Sprintf("ship%d", g)
			for i := range 200 {
				m.State(name, "web", []fleet.State{fleet.Starting, fleet.Ready, fleet.Backoff}[i%3])
				m.Memory(name, "web", uint64(i), uint64(2*i))
				m.Restart(name, "web")
				obs.Observe(200, time.Millisecond)
				m.SetPhase(fleet.Running)
			}
		})
	}
	scrape(t, base)
	wg.Wait()
	fams := scrape(t, base)
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"fleet total", "mothership_fleet_ships", map[string]string{}, 4},
		{"restarts", "mothership_ship_restarts_total", map[string]string{"ship": "ship3", "group": "web"}, 200},
		{"requests", "mothership_requests_total", map[string]string{"bind": "http", "route": "#1 prefix /.*", "status_class": "2xx"}, 800},
		// The last of 200 states is i=199, 199%3 == 1: Ready.
		{"last state", "mothership_ship_state", map[string]string{"ship": "ship0", "group": "web", "state": "ready"}, 1},
		{"one-hot", "mothership_ship_state", map[string]string{"ship": "ship0", "group": "web", "state": "backoff"}, 0},
	}
	for _, tc := range tests {
		if got, _ := value(fams, tc.metric, tc.labels); got != tc.want {
			t.Errorf("%s: %s%v = %v, want %v", tc.name, tc.metric, tc.labels, got, tc.want)
		}
	}
}
