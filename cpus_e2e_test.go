package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestCPUsSetsGOMAXPROCSAndAReloadChangesIt: `cpus` is what the running
// mothership's Go runtime uses, as its startup log and the Go collector's
// gauge say; a reload without it goes back to the runtime's choice, and
// the ships keep theirs.
func TestCPUsSetsGOMAXPROCSAndAReloadChangesIt(t *testing.T) {
	t.Parallel()
	// The test binary is this package too: its startCPUs is the runtime's
	// choice in this environment, which the mothership gets without `cpus`.
	def := startCPUs
	cpus := 1
	if def == 1 {
		cpus = 2
	}
	httpPort, metricsPort := freePort(t), freePort(t)
	manifest := func(cpusLine string) string {
		return fmt.Sprintf(`
[mothership]
metrics_port = %d
%s

[mothership.bind]
http = "127.0.0.1:%d"

[[fleet.web]]
name = "web"
command = "sh"
args = ["-c", "echo ship GOMAXPROCS=[$GOMAXPROCS]; exec SHIPD serve"]
routes = [{ bind = "http", pattern = "/.*" }]
`, metricsPort, cpusLine, httpPort)
	}
	dir := t.TempDir()
	writeManifest(t, dir, manifest(fmt.Sprintf("cpus = %d", cpus)))
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)
	if !regexp.MustCompile(fmt.Sprintf(`Mothership starting .* cpus=%d\b`, cpus)).MatchString(v.output()) {
		t.Errorf("the startup log does not say cpus=%d:\n%s", cpus, v.output())
	}
	gomaxprocs := func() string {
		_, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
		m := regexp.MustCompile(`(?m)^go_sched_gomaxprocs_threads (\d+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics lacks go_sched_gomaxprocs_threads:\n%s", body)
		}
		return m[1]
	}
	if got := gomaxprocs(); got != strconv.Itoa(cpus) {
		t.Errorf("with cpus = %d the mothership's GOMAXPROCS is %s", cpus, got)
	}
	// The ship's environment is not changed.
	v.waitFor(t, "ship GOMAXPROCS=["+os.Getenv("GOMAXPROCS")+"]", 5*time.Second)

	writeManifest(t, dir, manifest(""))
	if line := reloadAndWait(t, v, 1, true); !regexp.MustCompile(fmt.Sprintf(`cpus="?%d → %d"?`, cpus, def)).MatchString(line) {
		t.Errorf("the reload without cpus logged %q, want cpus=\"%d → %d\"", line, cpus, def)
	}
	if got := gomaxprocs(); got != strconv.Itoa(def) {
		t.Errorf("after the reload without cpus GOMAXPROCS is %s, want the runtime's %d", got, def)
	}
}
