package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// pinning is how the runs are kept on the same CPUs.
type pinning struct {
	prefix []string // the command that pins (taskset -c 0,1), or none
	procs  int      // GOMAXPROCS: the number of CPUs used
	desc   string
}

// pinCPUs decides the pinning: the CPUs in spec, or by default the last
// two; "none" turns it off. Without taskset (Linux) or cpuset (FreeBSD) the
// runs are not pinned, and GOMAXPROCS still is.
func pinCPUs(spec string) (pinning, error) {
	n := runtime.NumCPU()
	if spec == "" {
		first := max(n-2, 0)
		spec = strconv.Itoa(first)
		if n-first > 1 {
			spec += "," + strconv.Itoa(first+1)
		}
	}
	if spec == "none" {
		return pinning{procs: min(n, 2), desc: fmt.Sprintf("not pinned; GOMAXPROCS=%d", min(n, 2))}, nil
	}
	cpus, err := countCPUs(spec)
	if err != nil {
		return pinning{}, err
	}
	p := pinning{procs: cpus}
	tool := map[string][]string{"linux": {"taskset", "-c", spec}, "freebsd": {"cpuset", "-l", spec}}[runtime.GOOS]
	if tool == nil {
		p.desc = fmt.Sprintf("no CPU pinning on %s; GOMAXPROCS=%d", runtime.GOOS, cpus)
		return p, nil
	}
	if _, err := exec.LookPath(tool[0]); err != nil {
		p.desc = fmt.Sprintf("%s not found, not pinned; GOMAXPROCS=%d", tool[0], cpus)
		return p, nil
	}
	p.prefix = tool
	p.desc = fmt.Sprintf("pinned with %s; GOMAXPROCS=%d", strings.Join(tool, " "), cpus)
	return p, nil
}

// countCPUs counts the CPUs of a list like 0,2-3.
func countCPUs(spec string) (int, error) {
	n := 0
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := a, error(nil)
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a < 0 || b < a {
			return 0, fmt.Errorf("--cpus %q: %q is not a CPU number or range (like 0,2-3)", spec, part)
		}
		n += b - a + 1
	}
	return n, nil
}

// waitQuiet waits until the 1-minute load average is under limit, at most
// wait; it says what it saw either way.
func waitQuiet(ctx context.Context, limit float64, wait time.Duration, note func(string, ...any)) {
	deadline := time.Now().Add(wait)
	for {
		load, err := loadAverage()
		if err != nil {
			note("cannot read the load average (%v): not waiting for a quiet machine", err)
			return
		}
		if load < limit {
			note("load average %.2f (< %.2f): starting", load, limit)
			return
		}
		if time.Now().After(deadline) {
			note("load average still %.2f (≥ %.2f) after %v: running anyway; the interleaving keeps the comparison fair, the figures are slower", load, limit, wait)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
}

// loadAverage is the 1-minute load average: /proc/loadavg on Linux,
// sysctl vm.loadavg on the BSDs and macOS.
func loadAverage() (float64, error) {
	var text string
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		text = string(data)
	} else {
		out, err := exec.Command("sysctl", "-n", "vm.loadavg").Output()
		if err != nil {
			return 0, fmt.Errorf("sysctl -n vm.loadavg: %w", err)
		}
		text = strings.Trim(strings.TrimSpace(string(out)), "{ }")
	}
	f := strings.Fields(text)
	if len(f) == 0 {
		return 0, fmt.Errorf("no load average in %q", text)
	}
	return strconv.ParseFloat(f[0], 64)
}

// runOnce runs a test binary's benchmarks once (-count 1) in its package's
// directory, pinned, and returns what it printed.
func runOnce(ctx context.Context, p pkg, pin pinning, benchtime time.Duration) ([]byte, error) {
	args := append(append([]string{}, pin.prefix...), p.bin,
		"-test.run", "^$", "-test.bench", ".", "-test.benchmem",
		"-test.count", "1", "-test.benchtime", benchtime.String(), "-test.timeout", "10m")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(pin.procs))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.Bytes(), fmt.Errorf("%s: %w\n%s", p.rel, err, tail(out.Bytes(), 20))
	}
	return out.Bytes(), nil
}
