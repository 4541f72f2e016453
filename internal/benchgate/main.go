package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
)

// Exit statuses: 1 when the gate fails, 2 for a bad command line.
const (
	exitFail  = 1
	exitUsage = 2
)

// options is the parsed command line.
type options struct {
	base      string
	quick     bool
	count     int
	benchtime time.Duration
	e2eTime   time.Duration // -benchtime of the end-to-end packages
	packages  []string
	e2e       []string // end-to-end package patterns
	allocFree string
	cpus      string
	quietLoad float64
	quietWait time.Duration
	out       string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line and runs the gate.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stdout)
	if errors.Is(err, pflag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench-gate: %v\n\n%s", err, usage())
		return exitUsage
	}
	g := &gate{opts: o, stdout: stdout, stderr: stderr}
	pass, err := g.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bench-gate: %v\n", err)
		return exitFail
	}
	if !pass {
		return exitFail
	}
	return 0
}

// parseFlags parses and checks the command line; --help prints the usage
// to stdout and returns pflag.ErrHelp.
func parseFlags(args []string, stdout io.Writer) (*options, error) {
	fs := pflag.NewFlagSet("bench-gate", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o := &options{}
	fs.StringVar(&o.base, "base", "", "")
	fs.BoolVar(&o.quick, "quick", false, "")
	fs.IntVar(&o.count, "count", 0, "")
	fs.DurationVar(&o.benchtime, "benchtime", 0, "")
	fs.DurationVar(&o.e2eTime, "e2e-benchtime", 0, "")
	pkgs := fs.String("packages", "", "")
	e2e := fs.String("e2e-packages", "", "")
	fs.StringVar(&o.allocFree, "alloc-free", "", "")
	fs.StringVar(&o.cpus, "cpus", "", "")
	fs.Float64Var(&o.quietLoad, "quiet-load", float64(runtime.NumCPU())/2, "")
	fs.DurationVar(&o.quietWait, "quiet-wait", 0, "")
	fs.StringVar(&o.out, "out", "", "")
	help := fs.BoolP("help", "h", false, "")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *help {
		io.WriteString(stdout, usage())
		return nil, pflag.ErrHelp
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: the packages are set with --packages", fs.Arg(0))
	}
	o.packages, o.e2e = strings.Fields(*pkgs), strings.Fields(*e2e)
	return o, o.defaults(fs)
}

// defaults fills in what --quick changes and checks the values.
func (o *options) defaults(fs *pflag.FlagSet) error {
	count, benchtime, e2eTime, wait := 12, 200*time.Millisecond, time.Second, 2*time.Minute
	if o.quick {
		count, benchtime, e2eTime, wait = 10, 100*time.Millisecond, 400*time.Millisecond, time.Minute
	}
	if !fs.Changed("count") {
		o.count = count
	}
	if !fs.Changed("benchtime") {
		o.benchtime = benchtime
	}
	if !fs.Changed("e2e-benchtime") {
		o.e2eTime = e2eTime
	}
	if !fs.Changed("quiet-wait") {
		o.quietWait = wait
	}
	switch {
	case o.count < 8:
		return fmt.Errorf("--count %d: at least 8 runs per side are needed for a significant result", o.count)
	case o.benchtime <= 0:
		return fmt.Errorf("--benchtime %v: must be positive", o.benchtime)
	case o.e2eTime <= 0:
		return fmt.Errorf("--e2e-benchtime %v: must be positive", o.e2eTime)
	case len(o.packages)+len(o.e2e) == 0:
		return errors.New("--packages is empty: name the package patterns to benchmark")
	case o.allocFree == "":
		return errors.New("--alloc-free is missing: name the list of allocation-free benchmarks")
	case o.quietWait < 0:
		return fmt.Errorf("--quiet-wait %v: must not be negative", o.quietWait)
	}
	return nil
}

func usage() string {
	return `usage: .ci/bench-gate [--quick] [--base REV] [flags]

Benchmarks the hot path on the working tree and on a reference commit and
fails (exit 1) when
  - a benchmark on the alloc-free list (.ci/bench-gate.allocfree) allocates
    on the working tree (allocs/op > 0 in any run), or
  - a benchmark is slower than on the reference, significantly (p < 0.05 in
    a sign test over the rounds: each round runs both sides back to back)
    and by more than both limits between each side's best run:
      micro-benchmarks: ns/op +10 % and +2 ns;
      end-to-end (those reporting cpu-µs/req): the process's CPU per
      request, +10 % and +10 µs.
Benchmarks pair by name, not package; one present on a single side is
listed as new or gone and fails nothing. Exit 2 for a bad command line.

Reference: --base REV, default HEAD when the working tree has changes
(tracked or untracked), else HEAD~1. It is built in a temporary git
worktree, removed on exit and on Ctrl-C. In a shallow clone the gate
fetches more history; when REV is still missing it says so, skips the
comparison and checks only the alloc-free list.

Noise guards: each package's test binary is built once per side, then the
sides run alternately, one -count at a time (A B, B A, A B, ...), so that
load from elsewhere hits both alike and each round is a pair; the best run
of each side is compared, as load only ever adds time; GOMAXPROCS is fixed to the CPUs used;
the runs are pinned to those CPUs with taskset (Linux) or cpuset (FreeBSD)
when available; before the runs the gate waits for the 1-minute load
average to drop under --quiet-load, at most --quiet-wait, then runs anyway
and says so.

flags:
  --base REV          the reference commit (default: see above)
  --quick             10 runs per side, -benchtime 100ms, end-to-end 400ms
                      (CI; about 4 minutes on 2 cores) instead of 12 runs,
                      200ms, end-to-end 1s (about 8 minutes)
  --count N           runs per side (at least 8: a sign test over fewer
                      rounds cannot reach p < 0.05 with one round off)
  --benchtime D       -benchtime of each run of a micro-benchmark package
  --e2e-benchtime D   -benchtime of each run of an end-to-end package
  --cpus LIST         CPUs to pin to, as taskset -c takes them, or "none";
                      default: the last 2 CPUs
  --quiet-load F      load average to wait for (default: CPUs / 2)
  --quiet-wait D      longest wait for it (default 2m, --quick 1m)
  --out DIR           also keep base.txt and work.txt (benchstat input) in DIR
  --packages LIST     micro-benchmark package patterns, space-separated
  --e2e-packages LIST end-to-end package patterns (.ci/bench-gate sets both)
  --alloc-free FILE   the alloc-free list (.ci/bench-gate sets it)
  -h, --help          this text
`
}
