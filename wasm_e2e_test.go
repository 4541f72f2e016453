package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/stages/wasm"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// builtGuests builds the example WASM guests once per test run (those
// that changed since the last run), with the stock toolchain as a user
// would: a guest takes seconds to build.
var builtGuests = sync.OnceValues(func() (string, error) {
	return cachedBuild("wasm", func(dir string) error {
		// One go build per guest (c-shared takes one main package), at once.
		names := []string{"authguard", "stamper", "router"}
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", filepath.Join(dir, name+".wasm"), "./examples/wasm/"+name)
				cmd.Dir = packageDir
				cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
				if b, err := cmd.CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("building the %s guest: %v\n%s", name, err, b)
				}
			})
		}
		wg.Wait()
		return errors.Join(errs...)
	})
})

// copyGuests puts the example guests, and the hand-assembled ones that
// spin forever and trap, into dir.
func copyGuests(t *testing.T, dir string) {
	t.Helper()
	built, err := builtGuests()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"authguard.wasm", "stamper.wasm", "router.wasm"} {
		b, err := os.ReadFile(filepath.Join(built, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), string(b))
	}
	entry := func(body []byte) string {
		return string(wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request", Body: body}}}.Bytes())
	}
	writeFile(t, filepath.Join(dir, "spin.wasm"), entry(wasmtest.Forever))
	writeFile(t, filepath.Join(dir, "trap.wasm"), entry(wasmtest.Unreachable))
}

const wasmManifest = `
[mothership]
metrics_port = METRICSPORT

[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[fleet.web]]
name = "app"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ pattern = "/.*" }]

[[modules]]
name = "auth"
wasm = "./authguard.wasm"
routes = ["/admin", "/admin/.*", "/header"]
config = { token = "s3cret", realm = "ops", prefix = "/internal" }
timeout = 2 # a loaded test machine may pause a call past the default 50 ms

[[modules]]
name = "stamp"
wasm = "./stamper.wasm"
routes = ["/.*"]
phase = "response"
config = { name = "edge-1", remove = ["X-Internal"] }
timeout = 2 # a loaded test machine may pause a call past the default 50 ms

[[modules]]
name = "router"
abi = "http-wasm"
wasm = "./router.wasm"
routes = ["/hello", "/old/.*"]
config = { name = "edge-router" }
timeout = 2 # a loaded test machine may pause a call past the default 50 ms

[[modules]]
name = "spin"
wasm = "./spin.wasm"
routes = ["/spin"]
timeout = 0.05

[[modules]]
name = "trap-block"
wasm = "./trap.wasm"
routes = ["/trap/block"]

[[modules]]
name = "trap-continue"
wasm = "./trap.wasm"
routes = ["/trap/continue"]
on_error = "continue"
`

func TestWasmModulesThroughARunningMothership(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	port, metricsPort := freePort(t), freePort(t)
	writeManifest(t, dir, strings.NewReplacer("HTTPPORT", fmt.Sprint(port), "METRICSPORT", fmt.Sprint(metricsPort)).Replace(wasmManifest))
	copyGuests(t, dir)
	code, stdout, stderr := mothership(t, dir, "clearance")
	if code != 0 || !strings.Contains(stdout, "modules    6: auth (request), stamp (response), router (http-wasm), spin (request)") {
		t.Errorf("clearance: exit %d\n%s%s\nwant the six modules listed with their phase or ABI", code, stdout, stderr)
	}
	// clearance compiled the modules into the cache, so that run does not
	// compile them again.
	if entries, err := os.ReadDir(os.Getenv(wasm.CacheDirEnv)); err != nil || len(entries) == 0 {
		t.Errorf("after clearance, the compiled-module cache %s holds %d entries (%v), want the compiled modules", os.Getenv(wasm.CacheDirEnv), len(entries), err)
	}
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 60*time.Second)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)

	cases := []struct {
		name, path string
		header     []string
		status     int
		body       string            // a part of it
		answer     map[string]string // answer headers; "" for absent
	}{
		{"the guard blocks /admin without a token, with its status, body and headers", "/admin/users", nil,
			401, "401 unauthorized: a token is needed for /admin/users", map[string]string{"Www-Authenticate": `Bearer realm="ops"`, "X-Stamped-By": ""}},
		{"a wrong token is blocked too", "/admin/users", []string{"Authorization", "Bearer guess"}, 401, "a token is needed", nil},
		{"with the token the rewritten path reaches the ship", "/admin/users?page=2", []string{"Authorization", "Bearer s3cret"},
			200, "app: GET /internal/admin/users", map[string]string{"X-Stamped-By": "edge-1", "X-Seen-Status": "200"}},
		{"a request header set from the config reaches the ship", "/header?name=X-Auth-Realm", nil, 200, "ops", nil},
		{"a request header removed does not", "/header?name=Authorization", []string{"Authorization", "Bearer s3cret"}, 200, "", nil},
		{"a response header is removed", "/with-header?name=X-Internal&value=secret", nil, 200, "with a header",
			map[string]string{"X-Internal": "", "X-Stamped-By": "edge-1"}},
		{"an http-wasm router answers itself", "/hello", nil, 200, "hello from edge-router\n", map[string]string{"X-Stamped-By": ""}},
		{"an http-wasm router rewrites the URI and stamps the answer", "/old/page?x=1", nil, 200, "app: GET /new/page",
			map[string]string{"X-Router-Status": "200", "X-Stamped-By": "edge-1"}},
		{"an endless loop is cut by the timeout", "/spin", nil, 500, "a module failed", nil},
		{"a trap with on_error block answers 500", "/trap/block", nil, 500, "a module failed", nil},
		{"a trap with on_error continue reaches the ship", "/trap/continue", nil, 200, "app: GET /trap/continue", nil},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest("GET", base+tc.path, nil)
		for i := 0; i+1 < len(tc.header); i += 2 {
			req.Header.Set(tc.header[i], tc.header[i+1])
		}
		resp, body := doRequest(t, req)
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.body) || tc.body == "" && body != "" {
			t.Errorf("%s: got %d %q, want %d with %q", tc.name, resp.StatusCode, body, tc.status, tc.body)
		}
		for name, want := range tc.answer {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s: %s is %q, want %q", tc.name, name, got, want)
			}
		}
	}
	// A guest's log call and a failure are log lines with the module's name.
	v.waitFor(t, "auth: refused /admin/users module=auth", time.Second)
	v.waitFor(t, "spin: call failed: ran past its timeout of 50ms", time.Second)
	v.waitFor(t, "trap-block: call failed:", time.Second)

	// The status the dashboard's Modules tab reads: each module as
	// declared, with its counts and last error.
	mods := map[string]control.Module{}
	for _, md := range statusJSON(t, dir).Modules {
		mods[md.Name] = md
	}
	for name, want := range map[string]control.Module{
		"auth":          {Name: "auth", ABI: "mothership", Phase: "request", Routes: 3, Calls: 5, Blocks: 2},
		"router":        {Name: "router", ABI: "http-wasm", Phase: "both", Routes: 2, Calls: 3, Blocks: 1},
		"trap-continue": {Name: "trap-continue", ABI: "mothership", Phase: "request", Routes: 1, Calls: 1, Errors: 1, LastError: "wasm error: unreachable"},
	} {
		if got := mods[name]; got != want {
			t.Errorf("status --json: module %s is %+v, want %+v", name, got, want)
		}
	}

	// Each module's calls, blocks, errors and call durations.
	_, metrics := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	for _, want := range []string{
		`mothership_wasm_calls_total{module="auth"} 5`,
		`mothership_wasm_blocks_total{module="auth"} 2`,
		`mothership_wasm_errors_total{module="auth"} 0`,
		`mothership_wasm_errors_total{module="spin"} 1`,
		`mothership_wasm_errors_total{module="trap-continue"} 1`,
		`mothership_wasm_call_duration_seconds_count{module="stamp"} 6`,
		`mothership_wasm_calls_total{module="router"} 3`,
		`mothership_wasm_blocks_total{module="router"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func doRequest(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

func TestAModuleThatIsNotWebAssemblyIsRefusedWithItsLine(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, `[mothership.bind]
http = "127.0.0.1:1"

[[fleet.web]]
name = "app"
command = "SHIPD"
routes = [{ pattern = "/.*" }]

[[modules]]
name = "guard"
wasm = "./guard.wasm"
routes = ["/admin/.*"]
`)
	writeFile(t, filepath.Join(dir, "guard.wasm"), "#!/bin/sh\necho not a module\n")
	want := `ship-manifest.toml:9: modules[0].wasm: module "guard": ./guard.wasm: not a WebAssembly module that compiles`
	code, _, stderr := cli(t, dir, "clearance")
	if code != exitUsage || !strings.Contains(stderr, want) {
		t.Errorf("clearance: exit %d, %q; want %d and %q", code, stderr, exitUsage, want)
	}
	v := startRunIn(t, dir, nil)
	if code := v.exit(t, 20*time.Second); code != exitUsage || !strings.Contains(v.output(), want) {
		t.Errorf("run: exit %d, output:\n%s\nwant %d and %q", code, v.output(), exitUsage, want)
	}
}

// TestModulesGuardRoutesToBays checks that a module runs in front of a
// bay as in front of a ship: every bind is on the engine, bays too.
func TestModulesGuardRoutesToBays(t *testing.T) {
	trap := filepath.Join(t.TempDir(), "trap.wasm")
	writeFile(t, trap, string(wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request", Body: wasmtest.Unreachable}}}.Bytes()))
	_, base := startBays(t, httpBayManifest+`
[[modules]]
name = "guard"
wasm = "`+trap+`"
routes = ["/admin/.*"]
`)
	if status, body := get(t, base+"/admin/users"); status != 500 || !strings.Contains(body, "a module failed") {
		t.Errorf("GET /admin/users through a trapping module: %d %q, want 500 from on_error = block", status, body)
	}
	if status, body := get(t, base+"/hello"); status != 200 || body != "hello from rack" {
		t.Errorf("GET /hello, outside the module's routes: %d %q, want the bay's answer", status, body)
	}
}
