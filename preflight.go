package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/uplink"
)

// exitUnreachable is preflight's status when an uplink fails.
const exitUnreachable = 1

func preflightCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("preflight", stderr)
	path := manifestFlag(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	m, _, ok := loadForCommand("preflight", *path, "cleared", stderr)
	if !ok {
		return exitUsage
	}
	if missing := machineProblems(m); len(missing) > 0 {
		fmt.Fprintf(stderr, "mothership preflight: this machine lacks what the manifest names:\n  %s\n", strings.Join(missing, "\n  "))
		return exitUsage
	}
	if len(m.Mothership.Uplinks) == 0 {
		fmt.Fprintf(stdout, "%s: cleared; no uplinks to check\n", m.File)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := uplink.Verify(ctx, stdout, m.Mothership.Uplinks); err != nil {
		fmt.Fprintf(stderr, "mothership preflight: %v\n", err)
		return exitUnreachable
	}
	fmt.Fprintf(stdout, "%s: cleared; every uplink answered\n", m.File)
	return 0
}

// machineProblems lists the warnings about this machine, which clearance
// lets pass and run and preflight refuse: a command that isn't here won't start.
func machineProblems(m *manifest.Manifest) []string {
	var out []string
	for _, w := range m.Warnings {
		if w.Machine {
			out = append(out, w.Error())
		}
	}
	return out
}
