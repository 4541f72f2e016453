package telemetry

import (
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/mothership-go/mothership/fleet"
)

func TestHealth(t *testing.T) {
	m := NewMetrics()
	base := serve(t, m.Handler())
	tests := []struct {
		name   string
		phase  fleet.Phase // "" leaves the phase NewMetrics starts in
		query  string
		code   int
		status string
	}{
		{"starts initializing", "", "", 503, "unavailable"},
		{"running", fleet.Running, "", 200, "ok"},
		{"prelaunch", fleet.Prelaunch, "", 503, "unavailable"},
		{"draining", fleet.Draining, "", 503, "unavailable"},
		{"mayday", fleet.Mayday, "", 503, "unavailable"},
		{"live while running", fleet.Running, "?live", 200, "ok"},
		{"live through a long prelaunch", fleet.Prelaunch, "?live", 200, "ok"},
		{"live while draining", fleet.Draining, "?live", 200, "ok"},
		{"live fails when crashed", fleet.Crashed, "?live", 503, "unavailable"},
		{"live fails when failed", fleet.Failed, "?live", 503, "unavailable"},
	}
	for _, tc := range tests {
		if tc.phase != "" {
			m.SetPhase(tc.phase)
		}
		want := tc.phase
		if want == "" {
			want = fleet.Initializing
		}
		// The Kubernetes names answer as /health and /health?live do.
		paths := []string{"/health", "/readyz"}
		if tc.query == "?live" {
			paths = []string{"/health?live", "/livez"}
		}
		for _, path := range paths {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.name, path, err)
			}
			var body struct{ Status, Phase string }
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err != nil {
				t.Errorf("%s: %s: body is not JSON: %v", tc.name, path, err)
			}
			if resp.StatusCode != tc.code {
				t.Errorf("%s: %s: status %d, want %d", tc.name, path, resp.StatusCode, tc.code)
			}
			if body.Status != tc.status || body.Phase != string(want) {
				t.Errorf("%s: %s: body %+v, want status %q phase %q", tc.name, path, body, tc.status, want)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: %s: Content-Type %q", tc.name, path, ct)
			}
		}
	}
}

func TestHandlerRoutes(t *testing.T) {
	base := serve(t, NewMetrics().Handler())
	tests := []struct {
		name, method, path string
		code               int
	}{
		{"metrics", "GET", "/metrics", 200},
		{"health head", "HEAD", "/health", 503},
		{"post health", "POST", "/health", 405},
		{"root", "GET", "/", 404},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("%s: %s %s = %d, want %d", tc.name, tc.method, tc.path, resp.StatusCode, tc.code)
		}
	}
}

func TestListenMetrics(t *testing.T) {
	srv, ln, err := ListenMetrics("127.0.0.1:0", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Errorf("listens on %s, want 127.0.0.1", addr)
	}
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 {
		t.Errorf("a timeout is unset: %+v", srv)
	}
	if _, _, err := ListenMetrics(addr.String(), nil); err == nil {
		t.Errorf("a second listener on port %d: no error", addr.Port)
	}
}
