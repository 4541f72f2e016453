package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// terminal is a program running in a real pseudo-terminal of 80×24, and
// the screen a terminal emulator makes of what it writes.
type terminal struct {
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	emu  *vt.Emulator
	done chan struct{} // closed when the program's output ends
}

// startTerminal runs the built mothership with args in dir, in a pty.
func startTerminal(t *testing.T, dir string, args ...string) *terminal {
	t.Helper()
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "mothership"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(noRuntimeDir, "TERM=xterm-256color")...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{cmd: cmd, pty: f, emu: vt.NewEmulator(80, 24), done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 32<<10)
		for {
			n, err := f.Read(buf)
			term.mu.Lock()
			term.emu.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	// What the emulator answers (cursor position, colors) goes back.
	go io.Copy(f, term.emu)
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		// Ends the copy of the answers without Close, which races with it.
		term.emu.InputPipe().(io.Closer).Close()
		if t.Failed() {
			t.Logf("the screen:\n%s", term.screen())
		}
	})
	return term
}

func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.emu.String()
}

// waitScreen waits until the screen passes ok.
func (term *terminal) waitScreen(t *testing.T, what string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok(term.screen()) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the screen never showed %s", what)
}

func (term *terminal) send(t *testing.T, keys string) {
	t.Helper()
	if _, err := term.pty.WriteString(keys); err != nil {
		t.Fatal(err)
	}
}

// exit waits for the program to end and returns its exit code.
func (term *terminal) exit(t *testing.T) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- term.cmd.Wait() }()
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(20 * time.Second):
		t.Fatalf("still running 20 s after it was asked to quit")
	}
	return -1
}

// dashboardManifest has two ships: api, healthy on a port, and chatty,
// which prints more lines than a screen holds.
const dashboardManifest = `
[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[fleet.web]]
name = "api"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/api/.*", strip_prefix = "/api" }]

[[fleet.workers]]
name = "chatty"
command = "sh"
args = ["-c", "i=0; while [ $i -lt 100 ]; do echo chatty line $i; i=$((i+1)); done; exec sleep 300"]
`

// rowReady matches a ready ship's row of the Overview.
func rowReady(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^. ` + name + ` +\S+ +ship +ready +\d+ `)
}

// TestDashboardInATerminal runs `mothership --tui` in a pty: the Overview
// shows both ships ready; Tab goes to the Logs, ↓ to chatty's, PgUp
// scrolls it; q lands the fleet, exit 0, with no process left.
func TestDashboardInATerminal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeManifest(t, dir, strings.ReplaceAll(dashboardManifest, "HTTPPORT", freePortString(t)))
	term := startTerminal(t, dir, "--tui")
	term.waitScreen(t, "both ships ready", func(s string) bool {
		return strings.Contains(s, "[Overview]") && rowReady("api").MatchString(s) && rowReady("chatty").MatchString(s) && strings.Contains(s, "mothership Running")
	})
	pids := statusJSON(t, dir).Processes

	term.send(t, "\t")
	term.waitScreen(t, "api's log", func(s string) bool {
		return strings.Contains(s, "[Logs]") && strings.Contains(s, "› api") && strings.Contains(s, "api listening")
	})
	term.send(t, "\x1b[B") // ↓
	term.waitScreen(t, "chatty's log, following", func(s string) bool {
		return strings.Contains(s, "› chatty") && strings.Contains(s, "chatty · 100 lines · following") && strings.Contains(s, "chatty line 99")
	})
	term.send(t, "\x1b[5~") // PgUp
	term.waitScreen(t, "chatty's log a page up", func(s string) bool {
		return strings.Contains(s, "19 lines up") && strings.Contains(s, "chatty line 80") && !strings.Contains(s, "chatty line 99")
	})

	term.send(t, "q")
	if code := term.exit(t); code != 0 {
		t.Errorf("exit %d after q, want 0", code)
	}
	<-term.done
	if s := term.screen(); !strings.Contains(s, "Mothership landed status=landed") {
		t.Errorf("after the dashboard, the terminal does not show the landing:\n%s", s)
	}
	for _, p := range pids {
		if err := syscall.Kill(p.PID, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("%s (pid %d) is still there after q: %v", p.Name, p.PID, err)
		}
	}
}

// TestDashboardLands: Ctrl-C in the dashboard, and SIGTERM to the
// mothership, land the fleet as q does: exit 0, the terminal given back
// with the landing record on it, no process left.
func TestDashboardLands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		land func(*terminal)
	}{
		{"ctrl+c", func(term *terminal) { term.pty.WriteString("\x03") }},
		{"SIGTERM", func(term *terminal) { term.cmd.Process.Signal(syscall.SIGTERM) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeManifest(t, dir, strings.ReplaceAll(dashboardManifest, "HTTPPORT", freePortString(t)))
			term := startTerminal(t, dir, "run", "--tui")
			term.waitScreen(t, "both ships ready", func(s string) bool {
				return rowReady("api").MatchString(s) && rowReady("chatty").MatchString(s)
			})
			pids := statusJSON(t, dir).Processes
			tt.land(term)
			if code := term.exit(t); code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			<-term.done
			if s := term.screen(); !strings.Contains(s, "Mothership landed status=landed") || strings.Contains(s, "[Overview]") {
				t.Errorf("the terminal does not show the landing without the dashboard:\n%s", s)
			}
			for _, p := range pids {
				if err := syscall.Kill(p.PID, 0); !errors.Is(err, syscall.ESRCH) {
					t.Errorf("%s (pid %d) is still there: %v", p.Name, p.PID, err)
				}
			}
		})
	}
}

// TestDashboardAttaches: `mothership tui` shows a fleet that runs
// without it, and quitting it leaves the fleet running.
func TestDashboardAttaches(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, strings.ReplaceAll(dashboardManifest, "HTTPPORT", freePortString(t)))
	v := startRunIn(t, dir, noRuntimeDir)
	v.waitFor(t, "phase=Running", 20*time.Second)
	term := startTerminal(t, dir, "tui")
	term.waitScreen(t, "both ships ready", func(s string) bool {
		return rowReady("api").MatchString(s) && rowReady("chatty").MatchString(s)
	})
	term.send(t, "\t\x1b[B")
	term.waitScreen(t, "chatty's log, from before the dashboard", func(s string) bool {
		return strings.Contains(s, "chatty line 99")
	})
	term.send(t, "q")
	if code := term.exit(t); code != 0 {
		t.Errorf("tui: exit %d after q, want 0", code)
	}
	if code, _, stderr := mothership(t, dir, "status"); code != 0 {
		t.Errorf("the fleet stopped when the attached dashboard quit: %s", stderr)
	}
}

// TestDashboardNeedsATerminal: --tui with stdout not a terminal fails at
// once with exit 2 and says why, before any ship starts; so does tui.
func TestDashboardNeedsATerminal(t *testing.T) {
	dir := t.TempDir()
	writeManifest(t, dir, `
[mothership.bind]
http = "127.0.0.1:`+freePortString(t)+`"

[[fleet.web]]
name = "marker"
command = "sh"
args = ["-c", "touch started; exec sleep 300"]
`)
	for _, args := range [][]string{{"--tui"}, {"run", "--tui"}, {"tui"}} {
		code, _, stderr := mothership(t, dir, args...)
		if code != exitUsage || !strings.Contains(stderr, "the dashboard needs a terminal, and stdout is not one") {
			t.Errorf("%s without a terminal: exit %d, %q; want 2 and the reason", strings.Join(args, " "), code, stderr)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
		t.Errorf("a ship started although --tui was refused")
	}
}

func freePortString(t *testing.T) string {
	t.Helper()
	return strconv.Itoa(freePort(t))
}
