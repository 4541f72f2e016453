package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// answer is what one GET through the mothership got.
type answer struct {
	status     int
	body       string
	retryAfter string
	err        error
	sent       time.Time
}

func getAnswer(cl *http.Client, url string) answer {
	a := answer{sent: time.Now()}
	resp, err := cl.Get(url)
	if err != nil {
		a.err = err
		return a
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a.status, a.body, a.retryAfter = resp.StatusCode, strings.TrimSpace(string(b)), resp.Header.Get("Retry-After")
	return a
}

// pollUntil GETs url until ok accepts an answer, and returns it.
func pollUntil(t *testing.T, url string, within time.Duration, what string, ok func(answer) bool) answer {
	t.Helper()
	cl := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(within)
	var last answer
	for time.Now().Before(deadline) {
		if last = getAnswer(cl, url); ok(last) {
			return last
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v; last answer %d %q (err %v)", what, within, last.status, last.body, last.err)
	return last
}

func servedBy(pid string) func(answer) bool {
	return func(a answer) bool { return a.status == 200 && a.body == pid }
}

// shipHealthManifest is one route to ship web, or to an upstream over web
// and spare when pool is set; the ships read the sick file next to the
// manifest.
func shipHealthManifest(t *testing.T, dir, hold string, pool bool) (url string) {
	port, web, spare := freePort(t), freePort(t), freePort(t)
	sick := filepath.Join(dir, "sick")
	ship := func(name string, p int, routes string) string {
		return fmt.Sprintf(`
[[fleet.web]]
name = %q
command = "SHIPD"
args = ["serve"]
bind = "127.0.0.1:%d"
env = { PORT = "%d", SICK_FILE = %q }
healthcheck = { path = "/health", interval = "50ms", timeout = "1s", retries = 2 }
hold_on_restart = %s
%s`, name, p, p, sick+"."+name, hold, routes)
	}
	m := fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:%d\"\n", port)
	if pool {
		m += fmt.Sprintf(`
[[mothership.upstreams]]
name = "pool"
binds = ["127.0.0.1:%d", "127.0.0.1:%d"]
routes = [{ bind = "http", pattern = "/.*" }]
`, web, spare)
		m += ship("web", web, "") + ship("spare", spare, "")
	} else {
		m += ship("web", web, `routes = [{ bind = "http", pattern = "/.*" }]`)
	}
	writeManifest(t, dir, m)
	return fmt.Sprintf("http://127.0.0.1:%d/pid", port)
}

// TestUnhealthyShipLeavesRoutingRestartsAndComesBack: a ship whose /health
// starts failing is taken out of routing (its route answers 503 with
// Retry-After, or the other member of its upstream takes the requests),
// is restarted (a new pid; the new run is not ready while /health fails)
// and is back in routing once healthy.
func TestUnhealthyShipLeavesRoutingRestartsAndComesBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		pool bool
	}{{"alone", false}, {"with a spare", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			url := shipHealthManifest(t, dir, "false", tc.pool)
			v := startRunIn(t, dir, []string{testTimingEnv + "=backoff=20ms"})
			v.waitFor(t, "phase=Running", 30*time.Second)
			old := strconv.Itoa(pidOf(t, v, "web"))
			pollUntil(t, url, 10*time.Second, tc.name+": web answers", servedBy(old))
			writeFile(t, filepath.Join(dir, "sick.web"), "")
			if tc.pool {
				spare := strconv.Itoa(pidOf(t, v, "spare"))
				v.waitFor(t, "restarting: health check failing process=web", 10*time.Second)
				cl := &http.Client{Timeout: 10 * time.Second}
				for i := range 20 {
					if a := getAnswer(cl, url); a.status != 200 || a.body != spare {
						t.Fatalf("%s: request %d while web is out: %d %q (err %v), want 200 from spare (pid %s)", tc.name, i, a.status, a.body, a.err, spare)
					}
				}
			} else {
				a := pollUntil(t, url, 10*time.Second, tc.name+": 503 while web is out", func(a answer) bool { return a.status == 503 })
				if a.retryAfter == "" {
					t.Errorf("%s: 503 without Retry-After: %q", tc.name, a.body)
				}
			}
			os.Remove(filepath.Join(dir, "sick.web"))
			v.waitFor(t, "back in routing process=web", 10*time.Second)
			fresh := strconv.Itoa(pidOf(t, v, "web"))
			if fresh == old {
				t.Fatalf("%s: web still runs as pid %s, want a restart", tc.name, old)
			}
			pollUntil(t, url, 10*time.Second, tc.name+": the new run of web answers", servedBy(fresh))
			for _, p := range statusJSON(t, dir).Processes {
				if p.Name == "web" && (p.HealthRestarts != 1 || p.Restarts != 0) {
					t.Errorf("%s: status says web had %d health restarts and %d crash restarts, want 1 and 0", tc.name, p.HealthRestarts, p.Restarts)
				}
			}
			out := v.output()
			for _, want := range []string{"unhealthy process=web", "out of routing process=web state=unhealthy", "unhealthy run ended process=web"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s: the log lacks %q", tc.name, want)
				}
			}
		})
	}
}

// TestCrashedShipsRequestsWaitForTheRestart: with hold_on_restart, a ship
// killed while clients keep sending requests costs none of them: those
// sent after the kill are answered by the next run.
func TestCrashedShipsRequestsWaitForTheRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := shipHealthManifest(t, dir, `"5s"`, false)
	// The restart takes at least the 300 ms backoff, so that requests
	// surely arrive while the ship is gone.
	v := startRunIn(t, dir, []string{testTimingEnv + "=backoff=300ms"})
	v.waitFor(t, "phase=Running", 30*time.Second)
	old := pidOf(t, v, "web")
	pollUntil(t, url, 10*time.Second, "web answers", servedBy(strconv.Itoa(old)))

	var mu sync.Mutex
	var got []answer
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, keepAlive := range []bool{true, false, true, false} {
		cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: !keepAlive}}
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := getAnswer(cl, url)
				mu.Lock()
				got = append(got, a)
				mu.Unlock()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	killed := time.Now()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	v.waitFor(t, "back in routing process=web", 10*time.Second)
	fresh := strconv.Itoa(pidOf(t, v, "web"))
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	// The crash put the mothership in Mayday, and the restart took it
	// back to Running.
	out := v.output()
	if mayday := strings.Index(out, "phase phase=Mayday"); mayday < 0 || !strings.Contains(out[mayday:], "phase phase=Running") {
		t.Errorf("the phases around the crash: Mayday at %d, want Mayday and then Running again\n%s", mayday, out)
	}

	afterKill, byFresh := 0, 0
	for i, a := range got {
		if a.err != nil || a.status != 200 {
			t.Errorf("request %d: %d %q (err %v), want 200", i, a.status, a.body, a.err)
			continue
		}
		if a.sent.After(killed) {
			afterKill++
			if a.body != fresh {
				t.Errorf("request %d, sent after the kill: answered by pid %s, want the new run %s", i, a.body, fresh)
			}
		}
		if a.body == fresh {
			byFresh++
		}
	}
	if afterKill == 0 || byFresh == 0 {
		t.Errorf("%d requests sent after the kill, %d answered by the new run; want some of each", afterKill, byFresh)
	}
}

// TestHoldEndsWith503: a request held longer than hold_on_restart is
// answered 503 with Retry-After; the ship is back in routing afterwards.
func TestHoldEndsWith503(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url := shipHealthManifest(t, dir, `"200ms"`, false)
	// The restart waits out a 3 s backoff, far past the hold.
	v := startRunIn(t, dir, []string{testTimingEnv + "=backoff=3s"})
	v.waitFor(t, "phase=Running", 30*time.Second)
	old := pidOf(t, v, "web")
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	v.waitFor(t, "crashed process=web", 10*time.Second)
	a := getAnswer(&http.Client{Timeout: 10 * time.Second}, url)
	if a.status != 503 || a.retryAfter == "" {
		t.Fatalf("while web restarts: %d %q, Retry-After %q (err %v); want 503 with Retry-After", a.status, a.body, a.retryAfter, a.err)
	}
	v.waitFor(t, "back in routing process=web", 15*time.Second)
	pollUntil(t, url, 10*time.Second, "the new run answers", servedBy(strconv.Itoa(pidOf(t, v, "web"))))
}
