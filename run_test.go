package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/mothership-go/mothership/internal/testparallel"
	"github.com/mothership-go/mothership/stages/wasm"
)

// TestMain runs the end-to-end tests, which mostly wait on the processes
// they start, several at a time even on a machine of one or two CPUs
// (unless -parallel says otherwise), and removes this run's directories
// (what cachedBuild keeps for the next run stays).
func TestMain(m *testing.M) {
	testparallel.AtLeast(4)
	// Compiled WASM modules are cached in a directory of this run rather
	// than in the user's cache directory, shared by every mothership the
	// tests start and by the commands the tests run in this process.
	dir, err := builtDir("mothership-wasm-cache")
	if err == nil {
		err = os.Setenv(wasm.CacheDirEnv, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "the compiled modules' cache:", err)
		os.Exit(1)
	}
	code := m.Run()
	builtDirs.Lock()
	for _, dir := range builtDirs.list {
		os.RemoveAll(dir)
	}
	builtDirs.Unlock()
	os.Exit(code)
}

// builtDirs are the directories that builtDir made, removed by TestMain.
var builtDirs struct {
	sync.Mutex
	list []string
}

// builtDir makes a directory for what the tests build once per run.
func builtDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err == nil {
		builtDirs.Lock()
		builtDirs.list = append(builtDirs.list, dir)
		builtDirs.Unlock()
	}
	return dir, err
}

// builtBinaries builds mothership, the example ship program, the
// reference bay and the gRPC test ship once per test run, in one go build
// that links them in parallel (those that changed since the last run):
// the end-to-end tests run them as a user would. The slowest of them (they
// mostly wait) run in parallel, each on its own free ports and
// directories, so that `go test ./...` stays fast.
var builtBinaries = sync.OnceValues(func() (string, error) {
	return cachedBuild("e2e", func(dir string) error {
		// Each binary is named for its package: mothership, shipd, bayd, grpcship.
		pkgs := []string{".", "./examples/shipd", "./examples/bayd", "./testdata/grpcship"}
		cmd := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
		cmd.Dir = packageDir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %v: %v\n%s", pkgs, err, b)
		}
		return nil
	})
})

// voyageUnderTest is a `mothership run` subprocess and what it printed.
type voyageUnderTest struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan struct{}
}

func startRun(t *testing.T, manifest string, args ...string) *voyageUnderTest {
	t.Helper()
	dir := t.TempDir()
	writeManifest(t, dir, manifest)
	return startRunIn(t, dir, nil, args...)
}

// writeManifest writes ship-manifest.toml into dir, SHIPD standing for the
// example ship program and BAYD for the reference bay.
func writeManifest(t *testing.T, dir, manifest string) {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), strings.NewReplacer("SHIPD", filepath.Join(bin, "shipd"), "BAYD", filepath.Join(bin, "bayd")).Replace(manifest))
}

// startRunIn starts `mothership run` on the manifest in dir, with env added
// to the test's environment.
func startRunIn(t *testing.T, dir string, env []string, args ...string) *voyageUnderTest {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "mothership"), append([]string{"run"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	return followOutput(t, cmd, "mothership")
}

// followOutput starts cmd, gathers what it prints, and kills it when the
// test ends, logging its output named as name when the test failed.
func followOutput(t *testing.T, cmd *exec.Cmd, name string) *voyageUnderTest {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	v := &voyageUnderTest{cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(v.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			v.mu.Lock()
			v.lines = append(v.lines, sc.Text())
			v.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-v.done
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, v.output())
		}
	})
	return v
}

func (v *voyageUnderTest) output() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return strings.Join(v.lines, "\n")
}

// waitFor waits until a printed line contains s.
func (v *voyageUnderTest) waitFor(t *testing.T, s string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(v.output(), s) {
			return
		}
		select {
		case <-v.done:
			if strings.Contains(v.output(), s) {
				return
			}
			t.Fatalf("mothership exited before printing %q", s)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no %q within %v", s, within)
}

// land sends SIGTERM as a platform would to end a voyage, after closing
// the keep-alive connections the tests' default client has left idle: the
// drain would keep them open for its idle grace (a second), waiting for a
// last request that a client which is done never sends. A request still
// in flight keeps its connection.
func (v *voyageUnderTest) land() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	v.cmd.Process.Signal(syscall.SIGTERM)
}

// exit waits for the process to end and returns its exit code.
func (v *voyageUnderTest) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-v.done:
	case <-time.After(within):
		t.Fatalf("mothership still running after %v", within)
	}
	err := v.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// The ports freePort hands out lie in 10000–19999. A port is handed out
// closed, to a process that listens on it a moment later, so the span
// avoids two takers meanwhile. One is the kernel's ephemeral range
// (32768–60999 on Linux, 49152 and up on macOS and Windows), as listening
// on port 0 gives: any outgoing connection (of a parallel test, of another
// package's tests) may take such a port as its local end, and the process
// then fails with "address already in use"; below that range only a
// listener takes a port. (FreeBSD's default range starts at 10000, so
// there the span lies in it.) The other is 20000 and up, where a
// mothership draws its ships' ports (fleet.AssignPorts): a parallel
// test's mothership could give a ship the port this test got and has not
// bound yet. Each port is checked with a listen before it is handed out.
const lowPort, portSpan = 10000, 10000

// portBase is this test process's start in the range: derived from its
// pid, so that test processes running at once (two packages, two
// checkouts) try different ports.
var portBase = uint32(os.Getpid()) * 7919 % portSpan

// portsDrawn counts the ports tried, so that freePort never hands out
// the same one twice in a process.
var portsDrawn atomic.Uint32

// freePort is a TCP port of 127.0.0.1 where nothing listens, for a
// process the test starts.
func freePort(t testing.TB) int {
	t.Helper()
	for range portSpan {
		port := lowPort + int((portBase+portsDrawn.Add(1))%portSpan)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			ln.Close()
			return port
		}
	}
	t.Fatalf("no free port in %d–%d", lowPort, lowPort+portSpan-1)
	return 0
}

func get(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRunRoutesToTheFleetAndLandsOnSIGTERM(t *testing.T) {
	t.Parallel()
	httpPort, apiPort, metricsPort := freePort(t), freePort(t), freePort(t)
	v := startRun(t, fmt.Sprintf(`
[mothership]
metrics_port = %d

[mothership.bind]
http = "127.0.0.1:%d"

[[mothership.prelaunch]]
name = "migrate"
command = "SHIPD"
args = ["migrate"]

[[fleet.web]]
name = "api"
command = "SHIPD"
args = ["serve"]
bind = "127.0.0.1:%d"
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/api/.*", strip_prefix = "/api" }]

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
depends_on = ["api"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }]

[[fleet.workers]]
name = "worker"
command = "SHIPD"
args = ["work"]
critical = false
`, metricsPort, httpPort, apiPort))
	v.waitFor(t, "Running", 20*time.Second)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if code, body := get(t, base+"/api/users"); code != 200 || !strings.HasPrefix(body, "api: GET /users (from 127.0.0.1") {
		t.Errorf("GET /api/users: %d %q, want 200 from api with the prefix stripped", code, body)
	}
	if code, body := get(t, base+"/hello"); code != 200 || !strings.HasPrefix(body, "web: GET /hello") {
		t.Errorf("GET /hello: %d %q, want 200 from web", code, body)
	}
	out := v.output()
	if strings.Index(out, "migrating") > strings.Index(out, "api listening") || strings.Index(out, "api listening") > strings.Index(out, "web listening") {
		t.Errorf("want migrate, then api, then web:\n%s", out)
	}
	// The startup log says what runs where: the version and manifest, each
	// bind's and the metrics' address, each process's pid.
	for _, want := range []string{
		"Mothership starting version=",
		"/ship-manifest.toml pid=",
		fmt.Sprintf("bind=http addr=127.0.0.1:%d", httpPort),
		fmt.Sprintf("metrics listening addr=127.0.0.1:%d", metricsPort),
		"state process=api state=ready pid=",
		"state process=web state=ready pid=",
		"state process=worker state=ready pid=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the startup log lacks %q", want)
		}
	}
	code, metrics := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	for _, want := range []string{`mothership_ship_healthy{group="web",ship="api"} 1`, `mothership_requests_total{`} {
		if code != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q (status %d)", want, code)
		}
	}
	// A slow request in flight when SIGTERM arrives still completes.
	slow := make(chan string, 1)
	go func() {
		_, body := get(t, base+"/slow?ms=700")
		slow <- body
	}()
	time.Sleep(200 * time.Millisecond)
	v.land()
	if body := <-slow; !strings.Contains(body, "answered after 700 ms") {
		t.Errorf("the in-flight request got %q, want its answer", body)
	}
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	lines := strings.Split(strings.TrimSpace(v.output()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "Mothership landed") || !strings.Contains(last, "status=landed") {
		t.Errorf("the last line is %q, want the landing record with status=landed", last)
	}
}

func TestRunAbortsWhenAPrelaunchJobFails(t *testing.T) {
	v := startRun(t, fmt.Sprintf(`
[mothership.bind]
http = "127.0.0.1:%d"

[[mothership.prelaunch]]
name = "migrate"
command = "sh"
args = ["-c", "echo broken migration; exit 3"]

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
routes = [{ bind = "http", pattern = "/.*" }]
`, freePort(t)))
	if code := v.exit(t, 20*time.Second); code == 0 {
		t.Fatalf("exit 0 after a failed prelaunch job, want non-zero")
	}
	out := v.output()
	if !strings.Contains(out, "migrate") || strings.Contains(out, "web listening") || !strings.Contains(out, "status=failed") {
		t.Errorf("want the failure named, web never started, and status=failed:\n%s", out)
	}
}

func TestRunLandsCrashedWhenACriticalShipKeepsCrashing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeManifest(t, dir, fmt.Sprintf(`
[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "sh"
args = ["-c", "sleep 0.2; exit 1"]
`, freePort(t)))
	// 4 backoffs of 20, 40, 80, 160 ms before the fifth crash opens the
	// circuit, instead of 1+2+4+8 s.
	v := startRunIn(t, dir, []string{testTimingEnv + "=backoff=20ms"})
	if code := v.exit(t, 20*time.Second); code == 0 {
		t.Fatalf("exit 0, want non-zero when a critical ship's circuit opens")
	}
	out := v.output()
	for _, want := range []string{"test timings in effect", "crashes=4 restart_in=1", "circuit open on a critical process", "status=crashed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

// TestExampleManifestRuns runs examples/ship-manifest.toml as the README's
// quick start does, with the example's programs built beside it, and sends
// the README's requests.
func TestExampleManifestRuns(t *testing.T) {
	t.Parallel()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	manifest, err := os.ReadFile(filepath.Join("examples", "ship-manifest.toml"))
	if err != nil {
		t.Fatal(err)
	}
	// The example's ports, moved to free ones so that the test always runs.
	ports := map[string]string{}
	var moves []string
	for _, from := range []string{"8080", "8081", "9090", "3001"} {
		ports[from] = fmt.Sprint(freePort(t))
		moves = append(moves, "127.0.0.1:"+from, "127.0.0.1:"+ports[from], "metrics_port = "+from, "metrics_port = "+ports[from])
	}
	moved := strings.NewReplacer(moves...).Replace(string(manifest))
	for _, from := range []string{"127.0.0.1:8080", "127.0.0.1:8081", "metrics_port = 9090", "127.0.0.1:3001"} {
		if !strings.Contains(string(manifest), from) {
			t.Fatalf("the example no longer says %q; update this test's ports", from)
		}
	}
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), moved)
	writeFile(t, filepath.Join(dir, "public", "site.css"), "body {}\n")
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, prog := range []string{"shipd", "bayd"} {
		if err := os.Symlink(filepath.Join(bin, prog), filepath.Join(dir, "bin", prog)); err != nil {
			t.Fatal(err)
		}
	}
	v := startRunIn(t, dir, []string{"MS_SOCKET_DIR=" + shortSocketDir(t)})
	v.waitFor(t, "phase=Running", 30*time.Second)
	front, metrics := "http://127.0.0.1:"+ports["8080"], "http://127.0.0.1:"+ports["9090"]
	for path, want := range map[string]string{
		front + "/api/users":  "api: GET /users",
		front + "/hello":      "web: GET /hello",
		front + "/rack/hello": "hello from rack",
		metrics + "/health":   `"phase":"Running"`,
	} {
		if status, body := get(t, path); status != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q, want %q", path, status, body, want)
		}
	}
	v.land()
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	v.waitFor(t, "Mothership landed status=landed", time.Second)
}

func TestRunKeepsAFleetWithoutBindsRunning(t *testing.T) {
	v := startRun(t, `
[[fleet.workers]]
name = "worker"
command = "SHIPD"
args = ["work"]
`)
	v.waitFor(t, "phase=Running", 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(v.output(), "Draining") {
		t.Fatalf("a fleet of workers with no bind drained on its own:\n%s", v.output())
	}
	v.land()
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	v.waitFor(t, "Mothership landed status=landed", time.Second)
}

func TestRunLaunchesAroundAShipThatIsNotCriticalAndFailsItsBoot(t *testing.T) {
	httpPort := freePort(t)
	v := startRun(t, fmt.Sprintf(`
[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }]

[[fleet.web]]
name = "reports"
command = "sh"
args = ["-c", "exit 1"]
healthcheck = "/health"
critical = false
routes = [{ bind = "http", pattern = "/reports/.*" }]
`, httpPort))
	v.waitFor(t, "phase=Running", 20*time.Second)
	if out := v.output(); !strings.Contains(out, "not critical: launching the others without it process=reports") {
		t.Errorf("no word that the launch went on without reports:\n%s", out)
	}
	if code, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/hello", httpPort)); code != 200 || !strings.HasPrefix(body, "web: GET /hello") {
		t.Errorf("GET /hello: %d %q, want 200 from web", code, body)
	}
}

// TestWhatIsNotBuiltYetIsWarnedAboutInClearanceAndRun: a bind named https
// without tls serves plain HTTP; both commands say so.
func TestWhatIsNotBuiltYetIsWarnedAboutInClearanceAndRun(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, fmt.Sprintf(`
[mothership.bind]
https = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
routes = [{ bind = "https", pattern = "/.*" }]
`, freePort(t)))
	wants := []string{
		"bind https on 127.0.0.1:",
	}
	code, stdout, stderr := binary(t, dir, nil, "clearance")
	if code != 0 || !strings.Contains(stdout, "1 warning above: `run` goes ahead despite it") {
		t.Errorf("clearance: exit %d, want 0 and the warnings counted:\n%s", code, stdout)
	}
	if !strings.Contains(stderr, "has no tls and serves plain HTTP") {
		t.Errorf("clearance does not say the bind serves plain HTTP:\n%s", stderr)
	}
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)
	for _, w := range wants {
		if !strings.Contains(stderr, w) {
			t.Errorf("clearance does not warn %q:\n%s", w, stderr)
		}
		if !strings.Contains(v.output(), "WRN "+w) {
			t.Errorf("run does not log the warning %q", w)
		}
	}
}

// TestRunNotifiesSystemd: with $NOTIFY_SOCKET, as systemd sets it for a
// unit with Type=notify, the run sends READY=1 once the fleet is Running,
// RELOADING=1 (with the monotonic clock) when a reload begins and READY=1
// when it is over, and STOPPING=1 when it drains; the ships do not
// inherit the socket.
func TestRunNotifiesSystemd(t *testing.T) {
	socket := filepath.Join(shortSocketDir(t), "notify")
	ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: socket, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	states := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := ln.Read(buf)
			if err != nil {
				close(states)
				return
			}
			states <- string(buf[:n])
		}
	}()
	dir := t.TempDir()
	writeManifest(t, dir, fmt.Sprintf(`
[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.workers]]
name = "worker"
command = "sh"
args = ["-c", "echo inherited=${NOTIFY_SOCKET:-nothing}; exec sleep 300"]
`, freePort(t)))
	v := startRunIn(t, dir, []string{"NOTIFY_SOCKET=" + socket})
	await := func(want string) string {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case s := <-states:
				if strings.Contains(s, want) {
					return s
				}
			case <-timeout:
				t.Fatalf("no %q from mothership", want)
			}
		}
	}
	if got := await("READY=1"); !strings.Contains(got, "STATUS=Running") {
		t.Errorf("READY=1 came with %q, want it with the Running phase", got)
	}
	// The phase is logged before it is notified; the log may reach the
	// test a little later than the datagram.
	v.waitFor(t, "phase=Running", 5*time.Second)
	v.waitFor(t, "inherited=nothing", 5*time.Second)
	v.cmd.Process.Signal(syscall.SIGHUP)
	if got := await("RELOADING=1"); !regexp.MustCompile(`(?m)^MONOTONIC_USEC=\d+$`).MatchString(got) {
		t.Errorf("RELOADING=1 came with %q, want MONOTONIC_USEC", got)
	}
	if got := await("READY=1"); !strings.Contains(got, "STATUS=Running") {
		t.Errorf("after the reload, READY=1 came with %q, want the Running phase", got)
	}
	v.waitFor(t, "reloaded generation=2", 5*time.Second)
	v.land()
	if got := await("STOPPING=1"); !strings.Contains(got, "STATUS=Draining") {
		t.Errorf("STOPPING=1 came with %q, want it with the Draining phase", got)
	}
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestMetricsWhereTheyAreScraped: metrics_addr puts /metrics and the
// probes where a scraper can reach them; /livez and /readyz answer as
// Kubernetes expects, mothership_build_info names the binary, and the
// scrape passes the linter `promtool check metrics` runs.
func TestMetricsWhereTheyAreScraped(t *testing.T) {
	httpPort, metricsPort := freePort(t), freePort(t)
	v := startRun(t, fmt.Sprintf(`
[mothership]
metrics_addr = "127.0.0.1:%d"

[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }]
`, metricsPort, httpPort))
	v.waitFor(t, "phase=Running", 20*time.Second)
	base := fmt.Sprintf("http://127.0.0.1:%d", metricsPort)
	for _, probe := range []string{"/livez", "/readyz", "/health"} {
		if code, body := get(t, base+probe); code != 200 || !strings.Contains(body, `"phase":"Running"`) {
			t.Errorf("GET %s: %d %q, want 200 and the Running phase", probe, code, body)
		}
	}
	get(t, fmt.Sprintf("http://127.0.0.1:%d/hello", httpPort))
	code, scrape := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	for _, want := range []string{`mothership_build_info{goversion="go`, `mothership_fleet_ships 1`} {
		if !strings.Contains(scrape, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	problems, err := promlint.New(strings.NewReader(scrape)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promtool check metrics: %s: %s", p.Metric, p.Text)
	}
}
