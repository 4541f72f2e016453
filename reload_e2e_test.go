package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const reloadBase = `
[mothership]
metrics_port = %d

[mothership.bind]
http = "127.0.0.1:%d"
https = { addr = "127.0.0.1:%d", tls = { cert = "a.test.pem", key = "a.test.key" } }
%s
[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }, { bind = "https", pattern = "/.*" }]
`

const reloadAPI = `
[[fleet.web]]
name = "api"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/api/.*", strip_prefix = "/api" }, { bind = "https", pattern = "/api/.*", strip_prefix = "/api" }]
`

// loadLoop sends requests over plain and TLS keep-alive connections and
// over new connections until stop, counting those that failed.
type loadLoop struct {
	stop         chan struct{}
	wg           sync.WaitGroup
	sent, failed atomic.Int64
	mu           sync.Mutex
	firstFailure string
}

func startLoad(urls []string) *loadLoop {
	l := &loadLoop{stop: make(chan struct{})}
	for _, u := range urls {
		for _, keepAlive := range []bool{true, false} {
			tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "a.test", InsecureSkipVerify: true}, DisableKeepAlives: !keepAlive}
			cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			l.wg.Go(func() {
				defer tr.CloseIdleConnections()
				for {
					select {
					case <-l.stop:
						return
					default:
					}
					l.one(cl, u)
				}
			})
		}
	}
	return l
}

func (l *loadLoop) one(cl *http.Client, url string) {
	l.sent.Add(1)
	resp, err := cl.Get(url)
	why := ""
	if err != nil {
		why = err.Error()
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			why = fmt.Sprintf("status %d: %s", resp.StatusCode, b)
		}
	}
	if why != "" {
		l.failed.Add(1)
		l.mu.Lock()
		if l.firstFailure == "" {
			l.firstFailure = url + ": " + why
		}
		l.mu.Unlock()
	}
}

func (l *loadLoop) end() { close(l.stop); l.wg.Wait() }

// pidOf returns the pid the log last gave a ready process.
func pidOf(t *testing.T, v *voyageUnderTest, name string) int {
	t.Helper()
	all := regexp.MustCompile(`state process=`+name+` state=ready pid=(\d+)`).FindAllStringSubmatch(v.output(), -1)
	if len(all) == 0 {
		t.Fatalf("no ready pid for %s", name)
	}
	var pid int
	fmt.Sscan(all[len(all)-1][1], &pid)
	return pid
}

// reloadAndWait sends SIGHUP when hup is set, and waits for the n-th
// reload's outcome line.
func reloadAndWait(t *testing.T, v *voyageUnderTest, n int, hup bool) string {
	t.Helper()
	if hup {
		v.cmd.Process.Signal(syscall.SIGHUP)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var outcomes []string
		for _, line := range strings.Split(v.output(), "\n") {
			if strings.Contains(line, "reloaded generation=") || strings.Contains(line, "reload refused") {
				outcomes = append(outcomes, line)
			}
		}
		if len(outcomes) >= n {
			return outcomes[n-1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("reload %d: no outcome logged within 20s", n)
	return ""
}

// reloadRack is an HTTP bay a reload adds and removes.
const reloadRack = `
[[bays.http]]
name = "rack"
command = "BAYD"
threads = 2
routes = [{ bind = "http", pattern = "/rack/.*", strip_prefix = "/rack" }, { bind = "https", pattern = "/rack/.*", strip_prefix = "/rack" }]
`

// TestReloadChangesTheFleetAndRoutesWithoutAFailedRequest: under a load
// loop over plain HTTP and TLS, on kept-alive and new connections, a
// reload (SIGHUP) adds a ship, a bay and their routes; a broken manifest
// is refused with its line and changes nothing (`mothership reload`, which
// fails); a reload changes the ship web, which rolls: its new process
// serves before the old one stops; a last reload removes the ship and the
// bay, whose processes are then gone; one turns the PROXY protocol on for
// a bind at the same address. Not one request fails.
func TestReloadChangesTheFleetAndRoutesWithoutAFailedRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCert(t, dir, "a.test", 1)
	metricsPort, httpPort, httpsPort := freePort(t), freePort(t), freePort(t)
	// api goes first: routes match in declaration order, and web takes /.*.
	manifest := func(extra string) string { return fmt.Sprintf(reloadBase, metricsPort, httpPort, httpsPort, extra) }
	writeManifest(t, dir, manifest(""))
	v := startRunIn(t, dir, []string{"MS_SOCKET_DIR=" + shortSocketDir(t)})
	v.waitFor(t, "phase=Running", 20*time.Second)
	webPID := pidOf(t, v, "web")
	plain, secure := fmt.Sprintf("http://127.0.0.1:%d", httpPort), fmt.Sprintf("https://127.0.0.1:%d", httpsPort)
	var urls []string
	for _, base := range []string{plain, secure} {
		urls = append(urls, base+"/hello", base+"/api/users", base+"/rack/hello")
	}
	load := startLoad(urls)

	writeManifest(t, dir, manifest(reloadAPI+reloadRack))
	if out := reloadAndWait(t, v, 1, true); !strings.Contains(out, "generation=2 ships_added=api,rack ships_removed=- ships_restarted=- ships_rolled=- routes=\"2 → 6\"") {
		t.Errorf("the first reload logged %q, want api and rack added and 2 → 6 routes", out)
	}
	for path, want := range map[string]string{"/api/users": "api: GET /users", "/rack/hello": "hello from rack"} {
		if code, body := get(t, plain+path); code != 200 || !strings.HasPrefix(body, want) {
			t.Errorf("after adding api and rack, GET %s: %d %q, want %q", path, code, body, want)
		}
	}
	apiPID, rackPID := pidOf(t, v, "api"), pidOf(t, v, "rack")
	if code, stdout, _ := binary(t, dir, nil, "status"); code != 0 || !strings.Contains(stdout, "http /api/.*") {
		t.Errorf("mothership status after adding api: exit %d, want api's routes listed:\n%s", code, stdout)
	}
	if pid := pidOf(t, v, "web"); pid != webPID {
		t.Errorf("web's pid went from %d to %d, want it untouched by a reload that does not change it", webPID, pid)
	}

	// Over the control socket, as `mothership reload`: refused, with the line.
	writeManifest(t, dir, manifest(reloadAPI+reloadRack+"\n[[fleet.web]]\nname = \"broken\"\ncommand = \"SHIPD\"\nroutes = [{ pattern = \"/b/.*\", bind = \"nope\" }]\n"))
	code, stdout, stderr := binary(t, dir, nil, "reload")
	if line := regexp.MustCompile(`ship-manifest\.toml:\d+: `); code == 0 || !line.MatchString(stderr) || !line.MatchString(reloadAndWait(t, v, 2, false)) {
		t.Errorf("mothership reload of a broken manifest: exit %d, stdout %q, stderr %q; want a failure naming the file and line, logged too", code, stdout, stderr)
	}
	if code, body := get(t, plain+"/api/users"); code != 200 || !strings.HasPrefix(body, "api: GET /users") {
		t.Errorf("after the refused reload, GET /api/users: %d %q, want api still serving", code, body)
	}

	writeManifest(t, dir, strings.Replace(manifest(reloadAPI+reloadRack), "name = \"web\"", "name = \"web\"\nenv = { RELEASE = \"2\" }", 1))
	if out := reloadAndWait(t, v, 3, true); !strings.Contains(out, "generation=3 ships_added=- ships_removed=- ships_restarted=- ships_rolled=web ") {
		t.Errorf("the reload changing web logged %q, want web rolled", out)
	}
	if pid := pidOf(t, v, "web"); pid == webPID {
		t.Errorf("web kept pid %d through a change, want a new process", pid)
	}
	waitGone(t, "web's old process", webPID)

	writeManifest(t, dir, manifest(""))
	code, stdout, stderr = binary(t, dir, nil, "reload")
	if out := reloadAndWait(t, v, 4, false); code != 0 || !strings.Contains(stdout, "reloaded: generation=4 ships_added=- ships_removed=api,rack") || !strings.Contains(out, "generation=4 ships_added=- ships_removed=api,rack") {
		t.Errorf("mothership reload removing api and rack: exit %d, stdout %q, stderr %q, log %q; want both removed", code, stdout, stderr, out)
	}
	if code, body := get(t, plain+"/api/users"); code != 200 || !strings.HasPrefix(body, "web: GET /api/users") {
		t.Errorf("after removing api, GET /api/users: %d %q, want web's answer", code, body)
	}

	// The same address with the PROXY protocol on: the new bind takes the
	// old one's socket, no connection of the load loop is refused.
	writeManifest(t, dir, strings.Replace(manifest(""), fmt.Sprintf("http = \"127.0.0.1:%d\"", httpPort), fmt.Sprintf("http = { addr = \"127.0.0.1:%d\", proxy_protocol = true }", httpPort), 1))
	if out := reloadAndWait(t, v, 5, true); !strings.Contains(out, "generation=5 ") || !strings.Contains(out, "binds_added=http binds_removed=http") {
		t.Errorf("the reload turning the PROXY protocol on logged %q, want http reopened", out)
	}
	time.Sleep(200 * time.Millisecond) // the load loop runs on the final plan too
	load.end()
	if n := load.failed.Load(); n > 0 || load.sent.Load() < 50 {
		t.Errorf("%d of %d requests failed (first: %s), want none of at least 50", n, load.sent.Load(), load.firstFailure)
	}
	t.Logf("%d requests through five reloads", load.sent.Load())
	waitGone(t, "the removed ship's process", apiPID)
	waitGone(t, "the removed bay's process", rackPID)
	_, metrics := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	for _, want := range []string{`mothership_reloads_total{result="applied"} 4`, `mothership_reloads_total{result="refused"} 1`, "mothership_plan_generation 5"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// waitGone fails the test unless process pid is gone within 5 seconds.
func waitGone(t *testing.T, what string, pid int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
	}
	t.Errorf("%s (pid %d) still runs", what, pid)
}

// TestWatchReloadsWhenTheManifestChanges: with --watch, saving the
// manifest reloads it once, however many writes the save took.
func TestWatchReloadsWhenTheManifestChanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCert(t, dir, "a.test", 1)
	manifest := func(extra string) string {
		return fmt.Sprintf(reloadBase, freePort(t), freePort(t), freePort(t), extra)
	}
	first := manifest("")
	writeManifest(t, dir, first)
	v := startRunIn(t, dir, nil, "--watch")
	v.waitFor(t, "phase=Running", 20*time.Second)
	// Two writes in a row, as an editor's save may be: one reload.
	writeManifest(t, dir, strings.Replace(first, "[[fleet.web]]", reloadAPI+"\n[[fleet.web]]", 1))
	writeManifest(t, dir, strings.Replace(first, "[[fleet.web]]", reloadAPI+"\n[[fleet.web]]", 1))
	v.waitFor(t, "reloaded generation=2 ships_added=api", 20*time.Second)
	time.Sleep(time.Second)
	if n := strings.Count(v.output(), "reloaded generation="); n != 1 {
		t.Errorf("one save made %d reloads, want 1", n)
	}
}
