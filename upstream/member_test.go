package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// recordedMember records what a member reported to the metrics.
type recordedMember struct {
	mu        sync.Mutex
	ups       []bool
	ejections int
	closed    bool
}

func (r *recordedMember) UpstreamMember(string, string) MemberObserver { return r }
func (r *recordedMember) Up(up bool)                                   { r.mu.Lock(); r.ups = append(r.ups, up); r.mu.Unlock() }
func (r *recordedMember) Ejected()                                     { r.mu.Lock(); r.ejections++; r.mu.Unlock() }
func (r *recordedMember) Close()                                       { r.mu.Lock(); r.closed = true; r.mu.Unlock() }

func (r *recordedMember) last() (bool, int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ups) > 0 && r.ups[len(r.ups)-1], r.ejections, r.closed
}

// waitAvailable polls until m's availability is want.
func waitAvailable(t *testing.T, m *member, want bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for m.available() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: available %v after 5s, want %v", what, !want, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMemberIsCheckedEjectedAndStopped runs a member's checks against a
// real HTTP server whose /health fails on demand, ejects it by failed
// connections, and stops it as a plan's end does.
func TestMemberIsCheckedEjectedAndStopped(t *testing.T) {
	var sick atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sick.Load() || r.URL.Path != "/health" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	var logged []string
	var logMu sync.Mutex
	m := &member{pool: "pool", addr: "backend", eject: true, events: func(level, msg string, kv ...any) {
		logMu.Lock()
		logged = append(logged, msg)
		logMu.Unlock()
	}}
	m.h.unhealthyAt, m.h.healthyAt = 2, 2
	obs := &recordedMember{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	hc := &manifest.UpstreamHealth{Healthcheck: manifest.Healthcheck{Path: "/health", Interval: 10 * time.Millisecond, Timeout: time.Second}}
	go func() {
		defer close(done)
		m.run(ctx, obs, manifest.Addr{Network: "tcp", Address: strings.TrimPrefix(srv.URL, "http://")}, hc)
	}()
	sick.Store(true)
	waitAvailable(t, m, false, "a failing /health")
	if up, _, _ := obs.last(); up {
		t.Error("a failing /health: the up gauge still says 1")
	}
	sick.Store(false)
	waitAvailable(t, m, true, "a passing /health")
	if up, _, _ := obs.last(); !up {
		t.Error("a passing /health: the up gauge still says 0")
	}
	refused := errors.New("connection refused")
	for range ejectAfter {
		m.connectFailed(refused)
	}
	if _, n, _ := obs.last(); n != 1 {
		t.Errorf("%d failed connections in a row: %d ejections counted, want 1", ejectAfter, n)
	}
	waitAvailable(t, m, true, "an ejected member whose /health passes") // the next check ends it
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the member's checks still run after the plan ended")
	}
	if _, _, closed := obs.last(); !closed {
		t.Error("the member's observer was not closed with its plan")
	}
	logMu.Lock()
	defer logMu.Unlock()
	want := []string{"upstream member down", "upstream member up", "upstream member ejected", "upstream member back from ejection"}
	if strings.Join(logged, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q, want each change once: %q", logged, want)
	}
}
