package proxy

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
)

// gatesAt gives each backend address its gate.
func gatesAt(gates map[string]*shipgate.Gate) Options {
	return Options{Gate: func(a manifest.Addr) *shipgate.Gate { return gates[a.Address] }}
}

// pool is a manifest routing every path to an upstream over backends.
func pool(backends ...string) string {
	return "[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.upstreams]]\nname = \"pool\"\nbinds = [\"" + strings.Join(backends, `", "`) + "\"]\nroutes = [\"/*\"]\n"
}

func TestGateRoutesAroundAShipThatIsOut(t *testing.T) {
	for _, state := range []shipgate.State{shipgate.Starting, shipgate.Unhealthy, shipgate.Down} {
		a := backend(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "a") })
		b := backend(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "b") })
		ga, gb := shipgate.New(), shipgate.New()
		ga.Configure(time.Minute, 8)
		ga.Set(state)
		gb.Set(shipgate.Up)
		addr := startWith(t, pool(a, b), gatesAt(map[string]*shipgate.Gate{a: ga, b: gb}))
		for i := range 6 {
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Fatalf("a %s: request %d: %v", state, i, err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "b" {
				t.Errorf("a %s: request %d: %d %q, want 200 from b", state, i, resp.StatusCode, body)
			}
		}
	}
}

func TestGateAnswers503WhenNoMemberIsUp(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state shipgate.State
		hold  time.Duration
	}{
		{"down", shipgate.Down, time.Minute},
		{"starting without a hold", shipgate.Starting, 0},
		{"starting past its hold", shipgate.Starting, 30 * time.Millisecond},
	} {
		a := backend(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "a") })
		g := shipgate.New()
		g.Configure(tc.hold, 8)
		g.Set(tc.state)
		addr := startWith(t, pool(a), gatesAt(map[string]*shipgate.Gate{a: g}))
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q; want 503 with Retry-After", tc.name, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
}

func TestGateHoldsUntilTheShipIsUp(t *testing.T) {
	a := backend(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "a") })
	g := shipgate.New()
	g.Configure(time.Minute, 8)
	addr := startWith(t, pool(a), gatesAt(map[string]*shipgate.Gate{a: g}))
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for g.Waiting() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the request was not held")
		}
		time.Sleep(time.Millisecond)
	}
	g.Set(shipgate.Up)
	if r := <-done; r.err != nil || r.status != 200 {
		t.Errorf("held request: %d (err %v), want 200 once the ship is up", r.status, r.err)
	}
}

// TestNoAllocationsThroughAnUpGate: the gate's check on the normal path
// costs nothing.
func TestNoAllocationsThroughAnUpGate(t *testing.T) {
	be := cannedBackend(t)
	g := shipgate.New()
	g.Set(shipgate.Up)
	addr := startWith(t, to(be), gatesAt(map[string]*shipgate.Gate{be: g}))
	rc := newRawClient(t, addr, browserGet)
	for range 100 {
		rc.roundTrip(t)
	}
	if a := testing.AllocsPerRun(1000, func() { rc.roundTrip(t) }); a != 0 {
		t.Errorf("%v allocations per request through an up gate, want 0", a)
	}
}
