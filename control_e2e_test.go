package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// noRuntimeDir puts the control socket next to the manifest, in the test's
// own directory, whatever the machine's $XDG_RUNTIME_DIR.
var noRuntimeDir = []string{"XDG_RUNTIME_DIR="}

// mothership runs the built binary in dir to its end and returns its exit
// code and outputs.
func mothership(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "mothership"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), noRuntimeDir...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stdout.String(), stderr.String()
}

const controlManifest = `
[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[fleet.web]]
name = "api"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/api/.*", strip_prefix = "/api" }]

[[fleet.workers]]
name = "worker"
command = "SHIPD"
args = ["work"]
critical = false
`

// startControlled runs controlManifest in a fresh directory until it runs.
func startControlled(t *testing.T) (*voyageUnderTest, string) {
	t.Helper()
	dir := t.TempDir()
	writeManifest(t, dir, strings.ReplaceAll(controlManifest, "HTTPPORT", fmt.Sprint(freePort(t))))
	v := startRunIn(t, dir, noRuntimeDir)
	v.waitFor(t, "phase=Running", 20*time.Second)
	return v, dir
}

// TestStatusAndRestart: `status` prints every process of the running
// fleet as a table and as JSON; `restart` gives a ship a new run and
// returns once it is ready; the control socket is the owner's alone.
func TestStatusAndRestart(t *testing.T) {
	_, dir := startControlled(t)

	code, stdout, stderr := mothership(t, dir, "status")
	row := regexp.MustCompile(`(?m)^api +web +ship +ready +\d+ +ok +0 +\d+s +\S+ +http /api/\.\*$`)
	if code != 0 || !strings.HasPrefix(stdout, "mothership Running · solo · pid ") || !row.MatchString(stdout) || !strings.Contains(stdout, "\nworker  ") {
		t.Errorf("status: exit %d\n%s%s\nwant the headline, then api ready with its route, and worker", code, stdout, stderr)
	}
	before := statusJSON(t, dir)
	if len(before.Processes) != 2 || before.Processes[1].Name != "worker" || before.Processes[1].PID == 0 {
		t.Fatalf("status --json: %+v, want api and worker with a pid", before.Processes)
	}

	code, stdout, stderr = mothership(t, dir, "restart", "worker")
	if code != 0 || !strings.HasPrefix(stdout, "worker restarted and ready (") {
		t.Errorf("restart worker: exit %d, %q %q", code, stdout, stderr)
	}
	if after := statusJSON(t, dir).Processes[1]; after.State != "ready" || after.PID == before.Processes[1].PID {
		t.Errorf("after restart: worker %s pid %d (was %d), want ready under a new pid", after.State, after.PID, before.Processes[1].PID)
	}
	code, _, stderr = mothership(t, dir, "restart", "wroker")
	if code != 1 || !strings.Contains(stderr, `no ship or bay named "wroker" (there are: api, worker)`) {
		t.Errorf("restart of an unknown ship: exit %d, %q", code, stderr)
	}

	fi, err := os.Stat(filepath.Join(dir, ".mothership.sock"))
	if err != nil || fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("the control socket next to the manifest: %v, %v; want a socket with mode 0600", fi.Mode(), err)
	}
}

func statusJSON(t *testing.T, dir string) control.Status {
	t.Helper()
	code, stdout, stderr := mothership(t, dir, "status", "--json")
	var st control.Status
	if err := json.Unmarshal([]byte(stdout), &st); code != 0 || err != nil {
		t.Fatalf("status --json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	return st
}

// TestSecondInstanceRefused: a second run of the same manifest stops
// before starting anything, saying another one runs; the first goes on.
func TestSecondInstanceRefused(t *testing.T) {
	first, dir := startControlled(t)
	code, stdout, _ := mothership(t, dir, "run")
	if code != exitCrashed || !strings.Contains(stdout, "another mothership is running with this manifest") || strings.Contains(stdout, "api listening") {
		t.Errorf("second run: exit %d, want 1 with the reason and no ship started:\n%s", code, stdout)
	}
	if code, _, stderr := mothership(t, dir, "status"); code != 0 {
		t.Errorf("the first instance stopped answering: exit %d, %q\n%s", code, stderr, first.output())
	}
}

// TestControlCommandsWithNothingRunning: status and restart say that
// nothing runs, naming the socket, and exit 1; a stale socket is no
// instance either.
func TestControlCommandsWithNothingRunning(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, strings.ReplaceAll(controlManifest, "HTTPPORT", "8080"))
	// The socket a killed mothership leaves behind.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(dir, ".mothership.sock"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"restart", "api"}} {
		code, stdout, stderr := mothership(t, dir, args...)
		if code != 1 || stdout != "" || !strings.Contains(stderr, "no mothership is running: nothing listens on the control socket "+filepath.Join(dir, ".mothership.sock")) {
			t.Errorf("%s: exit %d, %q %q; want 1 and the socket named", strings.Join(args, " "), code, stdout, stderr)
		}
	}
	if code, _, stderr := mothership(t, dir, "restart"); code != exitUsage || !strings.Contains(stderr, "name one ship or bay to restart") {
		t.Errorf("restart without a name: exit %d, %q", code, stderr)
	}
}

// TestStatusCountsModules: the calls of a WASM module on the request path
// show in `status`, as the Modules tab shows them.
func TestStatusCountsModules(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	writeFile(t, filepath.Join(dir, "trap.wasm"), string(wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request", Body: wasmtest.Unreachable}}}.Bytes()))
	writeManifest(t, dir, strings.ReplaceAll(controlManifest, "HTTPPORT", fmt.Sprint(port))+`
[[modules]]
name = "guard"
wasm = "trap.wasm"
routes = ["/api/.*"]
`)
	v := startRunIn(t, dir, noRuntimeDir)
	v.waitFor(t, "phase=Running", 20*time.Second)
	for range 2 {
		if status, _ := get(t, fmt.Sprintf("http://127.0.0.1:%d/api/users", port)); status != 500 {
			t.Errorf("GET /api/users through a trapping module: %d, want 500", status)
		}
	}
	want := control.Module{Name: "guard", ABI: "mothership", Phase: "request", Routes: 1, Calls: 2, Errors: 2, LastError: "wasm error: unreachable"}
	if mods := statusJSON(t, dir).Modules; len(mods) != 1 || mods[0] != want {
		t.Errorf("status --json modules: %+v, want %+v", mods, want)
	}
}
