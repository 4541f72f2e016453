package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the CLI in dir and returns its exit code and outputs. It
// changes the process's working directory while the command runs, so a
// test that calls it does not run in parallel (binary runs the built one
// in a directory of its own instead).
func cli(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var stdout, stderr bytes.Buffer
	code := dispatch(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestInitWritesAManifestThatPassesClearance(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := cli(t, dir, "init"); code != 0 {
		t.Fatalf("init: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := cli(t, dir, "clearance")
	if code != 0 {
		t.Fatalf("clearance of the init manifest: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"ship-manifest.toml: cleared (main form)", "web [web] on a free port, passed as $PORT", "worker [workers] on no port, not critical", "prelaunch  1: setup"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("clearance summary lacks %q:\n%s", want, stdout)
		}
	}
	if code, _, stderr := cli(t, dir, "init"); code != exitUsage || !strings.Contains(stderr, "exists") {
		t.Errorf("a second init: exit %d, %q; want %d and a word that the file exists", code, stderr, exitUsage)
	}
	if code, _, _ := cli(t, dir, "init", "--force"); code != 0 {
		t.Errorf("init --force: exit %d, want 0", code)
	}
}

func TestClearanceReportsEveryProblemWithItsLine(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), `[mothership.bind]
http = "0.0.0.0:8080"

[[fleet.web]]
name = "app"
comand = "ruby"
routes = [{ bind = "htp", pattern = "/api/(v1" }]
`)
	code, stdout, stderr := cli(t, dir, "clearance")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stdout %s", code, exitUsage, stdout)
	}
	for _, want := range []string{
		`ship-manifest.toml:4: fleet.web[0]: missing command`,
		`ship-manifest.toml:6: fleet.web[0].comand: unknown key (did you mean "command"?)`,
		`ship-manifest.toml:7: fleet.web[0].routes[0].bind: no bind named "htp" (did you mean "http"?)`,
		`ship-manifest.toml:7: fleet.web[0].routes[0].pattern: invalid pattern "/api/(v1" at column 6`,
		`ship-manifest.toml: not cleared: 4 problems`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("clearance output lacks %q:\n%s", want, stderr)
		}
	}
}

func TestClearanceFindsTheBlogName(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mothership.toml"), "[config]\nbind = \"0.0.0.0:8080\"\n\n[[ships]]\nname = \"web\"\ncommand = \"sh -c 'exec true'\"\nroutes = [{ pattern = \"/*\" }]\n")
	code, stdout, stderr := cli(t, dir, "clearance")
	if code != 0 || !strings.Contains(stdout, "mothership.toml: cleared (blog form)") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := cli(t, t.TempDir(), "clearance"); code != exitUsage || !strings.Contains(stderr, "mothership init") {
		t.Errorf("with no manifest: exit %d, %q; want %d and a pointer to init", code, stderr, exitUsage)
	}
}

func TestChartShowsLeavesWithIndexMatchersAndTarget(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), `[mothership.bind]
http = "0.0.0.0:8080"

[[fleet.web]]
name = "api"
command = "api"
routes = [{ bind = "http", pattern = "/repos/[^/]+/issues", methods = ["GET"] }]

[[fleet.web]]
name = "app"
command = "app"
routes = [
  { bind = "http", pattern = "/.*", ua_filter = "llm" },
  { bind = "http", host = "*.example.com", path_prefix = "/cable" },
]
`)
	code, stdout, stderr := cli(t, dir, "chart")
	if code != 0 {
		t.Fatalf("chart: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"bind http  0.0.0.0:8080  (3 routes)",
		"#0 segments /repos/{seg}/issues methods=GET → ship api",
		"#1 prefix /.* ua=llm → ship app",
		"host *.example.com",
		"#2 prefix /cable → ship app",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("chart lacks %q:\n%s", want, stdout)
		}
	}
	code, dot, stderr := cli(t, dir, "chart", "--dot")
	if code != 0 || !strings.HasPrefix(dot, "digraph routes {") {
		t.Fatalf("chart --dot: exit %d: %s\n%s", code, stderr, dot)
	}
	renderer, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz `dot` is not installed (apt-get install graphviz); the DOT text was not rendered")
	}
	cmd := exec.Command(renderer, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	svg, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("ship api")) {
		t.Errorf("dot -Tsvg: %v\n%.500s", err, svg)
	}
}

func TestPreflightChecksUplinks(t *testing.T) {
	closed := freePort(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), fmt.Sprintf(`[mothership.bind]
http = "127.0.0.1:8080"

[[mothership.uplinks]]
name = "gone"
url = "tcp://127.0.0.1:%d"
timeout = "1s"
`, closed))
	code, stdout, stderr := cli(t, dir, "preflight")
	if code != exitUnreachable || !strings.Contains(stdout, "gone") || !strings.Contains(stderr, "uplink gone") {
		t.Errorf("a closed port: exit %d, want %d, the table and the uplink named:\n%s%s", code, exitUnreachable, stdout, stderr)
	}
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n")
	if code, stdout, _ := cli(t, dir, "preflight"); code != 0 || !strings.Contains(stdout, "no uplinks to check") {
		t.Errorf("no uplinks: exit %d, %q", code, stdout)
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, c := range commands() {
		code, _, stderr := cli(t, t.TempDir(), c.name, "--help")
		if code != 0 || !strings.Contains(stderr, c.usage) {
			t.Errorf("%s --help: exit %d, %q", c.name, code, stderr)
		}
	}
	if code, stdout, _ := cli(t, t.TempDir(), "version"); code != 0 || !strings.HasPrefix(stdout, "mothership ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
	if code, _, stderr := cli(t, t.TempDir(), "launch"); code != exitUsage || !strings.Contains(stderr, `unknown command "launch"`) {
		t.Errorf("unknown command: exit %d, %q", code, stderr)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestClearanceListsUpstreams(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), `[mothership.bind]
http = "127.0.0.1:8080"

[[mothership.upstreams]]
name = "api"
binds = ["127.0.0.1:3000", "127.0.0.1:3001"]
strategy = "least_conn"
routes = ["/api/*"]

[[mothership.upstreams]]
name = "rack"
protocol = "docking"
binds = ["unix:///run/rack.sock"]
routes = ["/*"]
`)
	code, stdout, stderr := cli(t, dir, "clearance")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want := "upstreams  2: api [least_conn] 127.0.0.1:3000 127.0.0.1:3001, rack [docking] unix:///run/rack.sock"; !strings.Contains(stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, stdout)
	}
}

// binary runs the built mothership binary in dir as a user would, with env
// added to the test's environment, and returns its exit code and outputs.
func binary(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "mothership"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("mothership %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

func TestBadFlagsSayWhatIsWrongAndExit2(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
		not  string
	}{
		{"a typo of a flag", []string{"chart", "--dott"}, []string{"mothership chart: unknown flag: --dott", "did you mean --dot?", "Usage: mothership chart [-c FILE] [--dot]"}, ""},
		{"a flag nothing resembles", []string{"clearance", "--bogus"}, []string{"mothership clearance: unknown flag: --bogus", "Usage: mothership clearance [-c FILE]"}, "did you mean"},
		{"a flag before the command", []string{"--manifst", "x.toml"}, []string{"mothership run: unknown flag: --manifst", "did you mean --manifest?", "Usage: mothership [run]"}, ""},
		{"a flag without its value", []string{"clearance", "-c"}, []string{"flag needs an argument: 'c' in -c", "Usage: mothership clearance"}, ""},
		{"an unknown shorthand", []string{"chart", "-x"}, []string{"unknown shorthand flag: 'x' in -x", "Usage: mothership chart"}, ""},
	} {
		code, stdout, stderr := binary(t, t.TempDir(), nil, tc.args...)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d", tc.name, code, exitUsage)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", tc.name, w, stderr)
			}
		}
		if tc.not != "" && strings.Contains(stderr, tc.not) {
			t.Errorf("%s: stderr has %q:\n%s", tc.name, tc.not, stderr)
		}
		if stdout != "" {
			t.Errorf("%s: stdout %q, want nothing", tc.name, stdout)
		}
	}
}

func TestAnEmptyManifestSaysWhatIsMissing(t *testing.T) {
	for _, tc := range []struct{ name, file, content, want string }{
		{"an empty file", "ship-manifest.toml", "", `add a bind ([mothership.bind] with http = "127.0.0.1:8080") and a ship ([[fleet.web]] with name and command)`},
		{"the blog form's config alone", "mothership.toml", "[config]\n", `add a bind ([config] with bind = "127.0.0.1:8080") and a ship ([[ships]] with name and command)`},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, tc.file), tc.content)
		for _, cmd := range []string{"clearance", "run"} {
			code, _, stderr := binary(t, dir, nil, cmd)
			if code != exitUsage || !strings.Contains(stderr, "the manifest declares nothing to run") || !strings.Contains(stderr, tc.want) {
				t.Errorf("%s: %s: exit %d, want %d and what is missing (%q):\n%s", tc.name, cmd, code, exitUsage, tc.want, stderr)
			}
		}
	}
}

func TestAMissingBindListsTheDeclaredOnesAndHowToDeclareIt(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"main form without binds", "[[fleet.web]]\nname = \"w\"\ncommand = \"w\"\nroutes = [{ bind = \"http\", pattern = \"/.*\" }]\n",
			`fleet.web[0].routes[0].bind: no bind named "http"; the manifest declares no bind; declare it under [mothership.bind] as http = "0.0.0.0:8080"`},
		{"main form with other binds", "[mothership.bind]\nweb = \"127.0.0.1:8080\"\nadmin = \"127.0.0.1:8081\"\n\n[[fleet.web]]\nname = \"w\"\ncommand = \"w\"\nroutes = [{ bind = \"http\", pattern = \"/.*\" }]\n",
			`no bind named "http"; declared: admin, web; declare it under [mothership.bind] as http = "0.0.0.0:8080"`},
		{"blog form without [config] bind", "[[ships]]\nname = \"w\"\ncommand = \"w\"\nroutes = [{ pattern = \"/.*\" }]\n",
			`ships[0].routes[0]: the route has no bind and the manifest declares none; declare it with [config] bind = "0.0.0.0:8080"`},
		{"blog form naming another bind", "[config]\nbind = \"127.0.0.1:8080\"\n\n[[ships]]\nname = \"w\"\ncommand = \"w\"\nroutes = [{ pattern = \"/.*\", bind = \"admin\" }]\n",
			`no bind named "admin"; declared: http; the blog's [config] form makes only the bind "http"`},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "ship-manifest.toml"), tc.content)
		if code, _, stderr := binary(t, dir, nil, "clearance"); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", tc.name, code, exitUsage, tc.want, stderr)
		}
	}
}

func TestMetricsAddrIsCheckedWithItsLine(t *testing.T) {
	for _, tc := range []struct{ name, mothership, want string }{
		{"both keys", "metrics_port = 9090\nmetrics_addr = \"0.0.0.0:9090\"", `ship-manifest.toml:3: mothership.metrics_addr: metrics_addr and metrics_port both say where the metrics go; keep one`},
		{"a unix socket", "metrics_addr = \"unix:///run/m.sock\"", `ship-manifest.toml:2: mothership.metrics_addr: "unix:///run/m.sock": the metrics are served over TCP`},
		{"the address of a bind", "metrics_addr = \"127.0.0.1:8080\"", `ship-manifest.toml:2: mothership.metrics_addr: metrics_addr listens on 127.0.0.1:8080, which bind http (line 5) already uses`},
	} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "ship-manifest.toml"), "[mothership]\n"+tc.mothership+"\n\n[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n")
		if code, _, stderr := binary(t, dir, nil, "clearance"); code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want %d and %q:\n%s", tc.name, code, exitUsage, tc.want, stderr)
		}
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "ship-manifest.toml"), "[mothership]\nmetrics_addr = \"0.0.0.0:9090\"\n\n[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n")
	if code, _, stderr := binary(t, dir, nil, "clearance"); code != 0 {
		t.Errorf("metrics_addr on every interface: exit %d:\n%s", code, stderr)
	}
}
