package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/tui"
)

// controlClient is the client of the control socket of the mothership
// running the manifest at path. The manifest only names the socket, so
// one with problems (an edit since the launch, a variable unset in this
// shell) still does, as far as it could be read.
func controlClient(cmd, path string, stderr io.Writer) (*control.Client, bool) {
	file, err := manifest.Find(path)
	if err != nil {
		fmt.Fprintf(stderr, "mothership %s: %v\n", cmd, err)
		return nil, false
	}
	m, err := manifest.Load(file)
	if m == nil {
		fmt.Fprintf(stderr, "mothership %s: %v\n", cmd, err)
		return nil, false
	}
	return control.NewClient(m.ControlSocketPath(os.Getenv)), true
}

// reportControlErr prints a failed call; nothing running gets a hint.
func reportControlErr(cmd string, err error, stderr io.Writer) int {
	fmt.Fprintf(stderr, "mothership %s: %v\n", cmd, err)
	if errors.Is(err, control.ErrNotRunning) {
		fmt.Fprintln(stderr, "Start the fleet with `mothership run` (with the same -c), or name the manifest it runs with -c.")
	}
	return exitCrashed
}

// interruptible is a context that Ctrl-C or SIGTERM ends.
func interruptible() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
}

func statusCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("status", stderr)
	path := manifestFlag(fs)
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if code, done := parse(fs, args); done {
		return code
	}
	c, ok := controlClient("status", *path, stderr)
	if !ok {
		return exitUsage
	}
	ctx, cancel := interruptible()
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return reportControlErr("status", err, stderr)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(st)
		return 0
	}
	writeStatus(stdout, st, time.Now())
	return 0
}

// writeStatus prints the overview as a table, under the headline and,
// with limits shared through a store, the deployment's line.
func writeStatus(w io.Writer, st control.Status, now time.Time) {
	fmt.Fprintln(w, control.Headline(st, now))
	if st.Deployment != nil {
		fmt.Fprintln(w, control.DeploymentLine(*st.Deployment))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(control.OverviewColumns, "\t"))
	for _, p := range st.Processes {
		fmt.Fprintln(tw, strings.Join(control.OverviewRow(p, now), "\t"))
	}
	tw.Flush()
}

func restartCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("restart", stderr)
	path := manifestFlag(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "mothership restart: name one ship or bay to restart, not %d\n", fs.NArg())
		fs.Usage()
		return exitUsage
	}
	name := fs.Arg(0)
	c, ok := controlClient("restart", *path, stderr)
	if !ok {
		return exitUsage
	}
	ctx, cancel := interruptible()
	defer cancel()
	start := time.Now()
	if err := c.Restart(ctx, name); err != nil {
		return reportControlErr("restart", err, stderr)
	}
	fmt.Fprintf(stdout, "%s restarted and ready (%s)\n", name, time.Since(start).Round(time.Millisecond))
	return 0
}

func reloadCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("reload", stderr)
	path := manifestFlag(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	c, ok := controlClient("reload", *path, stderr)
	if !ok {
		return exitUsage
	}
	ctx, cancel := interruptible()
	defer cancel()
	msg, err := c.Reload(ctx)
	if err != nil {
		return reportControlErr("reload", err, stderr)
	}
	fmt.Fprintf(stdout, "reloaded: %s\n", msg)
	return 0
}

func tuiCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("tui", stderr)
	path := manifestFlag(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	if !needTerminal("tui", stdout, stderr) {
		return exitUsage
	}
	c, ok := controlClient("tui", *path, stderr)
	if !ok {
		return exitUsage
	}
	ctx, cancel := interruptible()
	defer cancel()
	if _, err := c.Status(ctx); err != nil {
		return reportControlErr("tui", err, stderr)
	}
	if err := tui.Run(ctx, c, tui.Options{}); err != nil {
		fmt.Fprintf(stderr, "mothership tui: %v\n", err)
		return exitCrashed
	}
	return 0
}
