package telemetry

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/fleet"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Handler serves /metrics and the health checks.
//
// /readyz (and /health, its older name) is a readiness check: 200 only in
// the Running phase, 503 with the phase in every other. A platform that
// restarts whatever fails its probe would kill a mothership that is still
// running a long prelaunch migration, or that is draining, if it used that
// answer for liveness; /livez (and /health?live) is for that, and fails
// only in Failed and Crashed, the phases from which nothing but a restart
// recovers.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// One collector's error should not hide every other metric.
		ErrorHandling: promhttp.ContinueOnError,
	}))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		m.serveHealth(w, r.URL.Query().Has("live"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { m.serveHealth(w, false) })
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) { m.serveHealth(w, true) })
	return mux
}

type healthBody struct {
	Status string      `json:"status"`
	Phase  fleet.Phase `json:"phase"`
}

// serveHealth answers a readiness check, or with live a liveness check.
func (m *Metrics) serveHealth(w http.ResponseWriter, live bool) {
	p := m.Phase()
	ok := p == fleet.Running
	if live {
		ok = p != fleet.Failed && p != fleet.Crashed
	}
	body := healthBody{Status: "ok", Phase: p}
	code := http.StatusOK
	if !ok {
		body.Status, code = "unavailable", http.StatusServiceUnavailable
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// A cached answer would report a phase that is over.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

// ListenMetrics listens on addr (host:port; port 0 picks a free one) and
// returns a server for h that the caller starts with srv.Serve(ln) and stops
// with srv.Shutdown. The manifest's default is loopback: the metrics expose
// the fleet's shape to anyone who can reach them. The timeouts keep a slow
// or stuck client from holding a connection open for ever.
func ListenMetrics(addr string, h http.Handler) (*http.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		// A scrape of a large fleet can take a while to write.
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 16 << 10,
	}
	return srv, ln, nil
}
