// Command mothership runs a fleet of processes behind one port: it launches
// them in dependency order, keeps them healthy, and routes HTTP and
// WebSocket traffic to them. See README.md.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mothership-go/mothership/internal/suggest"
	"github.com/spf13/pflag"
)

// exitUsage is the exit status for a bad manifest or a bad command line.
const exitUsage = 2

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	usage   string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"run", "launch the fleet and route traffic to it (the default)", "mothership [run] [-c FILE] [--only TAGS] [--except TAGS] [--tui]", runCmd},
		{"init", "write a commented ship-manifest.toml to start from", "mothership init [-c FILE] [--force]", initCmd},
		{"clearance", "validate a manifest offline and summarise it", "mothership clearance [-c FILE]", clearanceCmd},
		{"preflight", "validate a manifest and check that its uplinks are reachable", "mothership preflight [-c FILE]", preflightCmd},
		{"chart", "print the compiled routing tree of every bind", "mothership chart [-c FILE] [--dot]", chartCmd},
		{"status", "print the state of every ship and bay of the running fleet", "mothership status [-c FILE] [--json]", statusCmd},
		{"tui", "show the dashboard of the running fleet; quitting leaves it running", "mothership tui [-c FILE]", tuiCmd},
		{"restart", "restart one ship or bay of the running fleet and wait until it is ready", "mothership restart [-c FILE] SHIP", restartCmd},
		{"reload", "re-read the manifest of the running fleet and apply it if it compiles (as SIGHUP does)", "mothership reload [-c FILE]", reloadCmd},
		{"version", "print the version", "mothership version", versionCmd},
	}
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch picks the subcommand; with none, or with only flags, it is run.
func dispatch(args []string, stdout, stderr io.Writer) int {
	name := "run"
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		writeHelp(stdout)
		return 0
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if c := lookup(name); c.run != nil {
		return c.run(args, stdout, stderr)
	}
	fmt.Fprintf(stderr, "mothership: unknown command %q\n\n", name)
	writeHelp(stderr)
	return exitUsage
}

func writeHelp(w io.Writer) {
	fmt.Fprintln(w, "mothership: one process for the platform, a whole fleet inside.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `mothership COMMAND --help` for a command's flags.")
}

// newFlags builds a command's flag set; parse reports --help and bad flags
// the same way for every command.
func newFlags(c string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cmd := lookup(c)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nUsage: %s\n\nFlags:\n%s", cmd.summary, cmd.usage, fs.FlagUsages())
	}
	return fs
}

// lookup returns the command called name (the zero command when none is).
func lookup(name string) command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return command{}
}

// parse parses flags of a command that takes no arguments; done is set
// when the command should exit with code.
func parse(fs *pflag.FlagSet, args []string) (code int, done bool) {
	if code, done := parseFlags(fs, args); done {
		return code, done
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "mothership %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage, true
	}
	return 0, false
}

// parseFlags parses flags, leaving the arguments to the command.
func parseFlags(fs *pflag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return 0, true
	case err != nil:
		reportFlagError(fs, err)
		return exitUsage, true
	}
	return 0, false
}

func manifestFlag(fs *pflag.FlagSet) *string {
	return fs.StringP("manifest", "c", "", "manifest file (default ship-manifest.toml, else mothership.toml)")
}

// reportFlagError says what was wrong with the command line, the flag that
// was probably meant, and the command's usage line: pflag's ContinueOnError
// prints nothing itself.
func reportFlagError(fs *pflag.FlagSet, err error) {
	w := fs.Output()
	fmt.Fprintf(w, "mothership %s: %v\n", fs.Name(), err)
	var unknown *pflag.NotExistError
	if errors.As(err, &unknown) && unknown.GetSpecifiedShortnames() == "" {
		var names []string
		fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if s := suggest.Closest(unknown.GetSpecifiedName(), names); s != "" {
			fmt.Fprintf(w, "did you mean --%s?\n", s)
		}
	}
	fmt.Fprintf(w, "Usage: %s\nRun `mothership %s --help` for its flags.\n", lookup(fs.Name()).usage, fs.Name())
}
