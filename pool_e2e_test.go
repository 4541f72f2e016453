package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// poolBackend is a shipd run by the test itself, outside the fleet, so
// that the test can kill it and bring it back as a member of a pool.
type poolBackend struct {
	port int
	cmd  *exec.Cmd
}

// startBackend runs shipd on port and waits until it answers.
func startBackend(t *testing.T, port int) *poolBackend {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "shipd"), "serve")
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &poolBackend{port: port, cmd: cmd}
	t.Cleanup(b.kill)
	pollUntil(t, fmt.Sprintf("http://127.0.0.1:%d/pid", port), 10*time.Second, "shipd answers", servedBy(strconv.Itoa(cmd.Process.Pid)))
	return b
}

func (b *poolBackend) kill() {
	b.cmd.Process.Kill()
	b.cmd.Wait()
}

func (b *poolBackend) member() string { return fmt.Sprintf("127.0.0.1:%d", b.port) }

// memberUp is the sample of a member's up gauge as /metrics prints it.
func memberUp(member string, v int) string {
	return fmt.Sprintf(`mothership_upstream_member_up{member=%q,upstream="pool"} %d`, member, v)
}

// TestAPoolFailsOverWhenAMemberDies: a pool of three shipd processes
// under a steady load of GETs; one is killed mid-load and not one request
// fails (the connection that fails is tried on another member), its up
// gauge goes to 0, and once it is back it gets traffic again. With every
// member dead the route answers 503 with Retry-After, naming nothing
// internal.
func TestAPoolFailsOverWhenAMemberDies(t *testing.T) {
	t.Parallel()
	backends := []*poolBackend{startBackend(t, freePort(t)), startBackend(t, freePort(t)), startBackend(t, freePort(t))}
	httpPort, metricsPort := freePort(t), freePort(t)
	var binds []string
	for _, b := range backends {
		binds = append(binds, strconv.Quote(b.member()))
	}
	v := startRun(t, fmt.Sprintf(`
[mothership]
metrics_addr = "127.0.0.1:%d"

[mothership.bind]
http = "127.0.0.1:%d"

[[mothership.upstreams]]
name = "pool"
binds = [%s]
routes = [{ bind = "http", pattern = "/.*" }]
# Ten failed checks (a second) before the checks take the dead member
# out: the load's failed forwards must eject it first (three in a row),
# which on a loaded machine took longer than two checks.
health = { path = "/health", interval = "100ms", timeout = "1s", unhealthy_threshold = 10, healthy_threshold = 2 }
`, metricsPort, httpPort, strings.Join(binds, ", ")))
	v.waitFor(t, "phase=Running", 20*time.Second)
	url := fmt.Sprintf("http://127.0.0.1:%d/pid", httpPort)
	base := fmt.Sprintf("http://127.0.0.1:%d", metricsPort)
	for _, b := range backends {
		waitMetric(t, base+"/metrics", memberUp(b.member(), 1), 10*time.Second)
	}

	var (
		mu       sync.Mutex
		failures []string
		served   = map[string]int{}
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			cl := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := getAnswer(cl, url)
				mu.Lock()
				if a.err != nil || a.status != 200 {
					failures = append(failures, fmt.Sprintf("%d %q (err %v)", a.status, a.body, a.err))
				} else {
					served[a.body]++
				}
				mu.Unlock()
			}
		})
	}
	dead := backends[1]
	deadPid := strconv.Itoa(dead.cmd.Process.Pid)
	pollUntil(t, url, 10*time.Second, "the member to be killed serves", servedBy(deadPid))
	time.Sleep(200 * time.Millisecond) // load on every member before the kill
	dead.kill()
	waitMetric(t, base+"/metrics", memberUp(dead.member(), 0), 10*time.Second)
	v.waitFor(t, "upstream member down upstream=pool member="+dead.member(), 10*time.Second)
	_, scrape := get(t, base+"/metrics")
	if !strings.Contains(scrape, fmt.Sprintf(`mothership_upstream_member_ejections_total{member=%q,upstream="pool"} 1`, dead.member())) {
		t.Error("/metrics does not count the dead member's ejection")
	}
	problems, err := promlint.New(strings.NewReader(scrape)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promtool check metrics: %s: %s", p.Metric, p.Text)
	}
	mu.Lock()
	before := served[deadPid]
	mu.Unlock()
	back := startBackend(t, dead.port)
	waitMetric(t, base+"/metrics", memberUp(dead.member(), 1), 10*time.Second)
	v.waitFor(t, "upstream member up upstream=pool member="+dead.member(), 10*time.Second)
	backPid := strconv.Itoa(back.cmd.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := served[backPid]
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the member brought back got no request within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if before == 0 {
		t.Error("the killed member served nothing before it died")
	}
	if len(failures) > 0 {
		t.Errorf("%d requests failed while a member died and came back, want none; first: %s", len(failures), failures[0])
	}

	for _, b := range append(backends, back) {
		b.kill()
	}
	a := pollUntil(t, url, 10*time.Second, "503 with every member dead", func(a answer) bool { return a.status == 503 })
	if a.retryAfter == "" {
		t.Errorf("503 without Retry-After: %q", a.body)
	}
	for _, internal := range []string{"127.0.0.1", "pool", "upstream"} {
		if strings.Contains(a.body, internal) {
			t.Errorf("the 503 names %q: %q", internal, a.body)
		}
	}
	v.waitFor(t, `no member of upstream \"pool\" takes traffic`, 5*time.Second)
}
