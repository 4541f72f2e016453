package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/telemetry"
)

var update = flag.Bool("update", false, "rewrite the golden screens in testdata")

// t0 is the fixed clock of the tests.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// fleetStatus is a fleet of three ships and two bays, at t0 plus d, its
// api route having served n requests by then.
func fleetStatus(d time.Duration, n uint64) control.Status {
	api := telemetry.RouteCounts{Bind: "http", Route: "#0 prefix /api/.*", Target: "ship api"}
	api.Classes[2], api.Classes[5] = n*9/10, n/10
	api.Latency[10], api.Latency[30] = n*98/100, n*2/100
	return control.Status{
		Time: t0.Add(d), Manifest: "ship-manifest.toml", PID: 4242, Started: t0.Add(-303 * time.Second),
		Phase: "Running", Role: "solo",
		Processes: []control.Process{
			{Name: "api", Group: "web", Kind: "ship", State: "ready", PID: 4250, Healthy: true, RSS: 12_900_000, Since: t0.Add(-300 * time.Second), Routes: []string{"http /api/.*"}},
			{Name: "web", Group: "web", Kind: "ship", State: "ready", PID: 4260, Healthy: true, RSS: 8_500_000, Since: t0.Add(-298 * time.Second), Routes: []string{"http /.*"}},
			{Name: "worker", Group: "workers", Kind: "ship", State: "backoff", Restarts: 3},
			{Name: "rack", Group: "http", Kind: "bay", State: "ready", PID: 4255, Healthy: true, Since: t0.Add(-299 * time.Second), Routes: []string{"http /rack/.*"}},
			{Name: "cable", Group: "websocket", Kind: "bay", State: "starting", PID: 4256, Since: t0.Add(-time.Second)},
		},
		Routes: []telemetry.RouteCounts{api, {Bind: "http", Route: "none", Target: "404"}},
	}
}

// source is a Source that records the restarts asked of it.
type source struct{ restarts []string }

func (s *source) Status(context.Context) (control.Status, error) { return fleetStatus(0, 0), nil }
func (s *source) Logs(context.Context, control.LogQuery, func(telemetry.Entry) error) error {
	return nil
}
func (s *source) Restart(_ context.Context, name string) error {
	s.restarts = append(s.restarts, name)
	return nil
}

// dashboard is a model at 80×24 with two snapshots a second apart and a
// log: 40 lines of api (every fifth on stderr), 2 of web, and the
// mothership's own.
func dashboard(t *testing.T) (*Model, *source) {
	t.Helper()
	src := &source{}
	m := New(context.Background(), src, Options{Now: func() time.Time { return t0.Add(time.Second) }})
	send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	send(m, statusMsg{st: fleetStatus(0, 1000)})
	send(m, statusMsg{st: fleetStatus(time.Second, 1250)})
	var lines logsMsg
	for i := range 40 {
		e := telemetry.Entry{Time: t0.Add(time.Duration(i) * time.Second), Process: "api", Stream: "stdout", Text: fmt.Sprintf("GET /users/%d 200", i)}
		if i%5 == 0 {
			e.Stream, e.Text = "stderr", fmt.Sprintf("slow query \x1b[31mtook\x1b[0m %dms", 100+i)
		}
		lines = append(lines, e)
		if i == 20 {
			lines = append(lines, telemetry.Entry{Time: e.Time, Process: "web", Stream: "stdout", Text: "web listening on :4000"})
		}
	}
	lines = append(lines,
		telemetry.Entry{Time: t0, Process: "web", Stream: "stdout", Text: "GET /hello 200"},
		telemetry.Entry{Time: t0, Process: "mothership", Stream: "event", Level: "info", Text: "phase phase=Running"},
		telemetry.Entry{Time: t0, Process: "mothership", Stream: "event", Level: "warn", Text: "WRN circuit open process=worker"})
	send(m, lines)
	return m, src
}

func send(m *Model, msgs ...tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	for _, msg := range msgs {
		_, cmd = m.Update(msg)
	}
	return cmd
}

// press is the key press of a key's name: "tab", "down", "pgup", "q", …
func press(name string) tea.KeyPressMsg {
	codes := map[string]rune{"tab": tea.KeyTab, "up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp,
		"pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd, "enter": tea.KeyEnter, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace}
	switch {
	case name == "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case name == "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case codes[name] != 0:
		return tea.KeyPressMsg{Code: codes[name]}
	}
	return tea.KeyPressMsg{Code: []rune(name)[0], Text: name}
}

// typeKeys presses each key of keys, and each rune of a string of them.
func typeKeys(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = send(m, press(k))
	}
	return cmd
}

// screen is the screen as the terminal shows it, without its styles.
func screen(m *Model) string { return ansi.Strip(m.View().Content) }

// golden compares got with testdata/name.golden; -update rewrites it.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test ./tui -update to write it)", name, err)
	}
	if got != string(want) {
		t.Errorf("%s: the screen differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// TestScreens walks the dashboard through its tabs and keys and compares
// each screen with its golden copy.
func TestScreens(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"overview", nil},
		{"overview-down", []string{"down", "down"}},
		{"logs", []string{"tab"}},
		{"logs-scrolled", []string{"tab", "pgup"}},
		{"logs-top", []string{"tab", "home"}},
		{"logs-filtered", []string{"tab", "/", "s", "l", "o", "w", "enter"}},
		{"logs-own", []string{"tab", "down", "down", "down", "down", "down", "down"}},
		{"modules", []string{"tab", "tab"}},
		{"routes", []string{"shift+tab"}},
		{"help", []string{"?"}},
		{"restart-confirm", []string{"down", "r"}},
	}
	for _, tt := range tests {
		m, _ := dashboard(t)
		typeKeys(m, tt.keys...)
		golden(t, tt.name, screen(m))
	}
}

// TestDeploymentScreen: with the rate limits shared, the overview opens
// with the deployment's line, and keeps every ship's row under it.
func TestDeploymentScreen(t *testing.T) {
	m, _ := dashboard(t)
	st := fleetStatus(time.Second, 1250)
	st.Deployment = &control.Deployment{Store: "redis://cache:6379/0", Servers: 3, LastSync: t0.Add(880 * time.Millisecond),
		LastSyncAge: 0.12, Syncs: 1520}
	send(m, statusMsg{st: st})
	golden(t, "overview-deployment", screen(m))
	st.Deployment.Fallback, st.Deployment.Failures, st.Deployment.LastError = true, 12, "dial tcp 10.0.0.5:6379: connection refused"
	send(m, statusMsg{st: st})
	if got := screen(m); !strings.Contains(got, "FALLBACK: the store is unreachable") || !strings.Contains(got, "cable") {
		t.Errorf("store gone, 80 columns: the overview lacks the fallback or a row:\n%s", got)
	}
	send(m, tea.WindowSizeMsg{Width: 200, Height: 24}) // room for the whole line
	if got := screen(m); !strings.Contains(got, "12 failed · dial tcp 10.0.0.5:6379: connection refused") {
		t.Errorf("store gone, 200 columns: the overview lacks the failures and the error:\n%s", got)
	}
}

// TestModulesScreen: the Modules tab lists each module with its calls.
func TestModulesScreen(t *testing.T) {
	m, _ := dashboard(t)
	st := fleetStatus(2*time.Second, 1300)
	st.Modules = []control.Module{
		{Name: "auth", ABI: "mothership", Phase: "request", Routes: 2, Calls: 1300, Blocks: 12, Errors: 1},
		{Name: "tagger", ABI: "http-wasm", Routes: 1, Calls: 40},
	}
	send(m, statusMsg{st: st})
	typeKeys(m, "tab", "tab")
	golden(t, "modules-some", screen(m))
}

// TestScreenSizes: every line fits the terminal, which a resize redraws.
func TestScreenSizes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}, {132, 40}} {
		m, _ := dashboard(t)
		send(m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for tab := range tabCount {
			lines := strings.Split(screen(m), "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d %s: %d lines, want %d", size[0], size[1], tabNames[tab], len(lines), size[1])
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d %s: line %d is %d wide: %q", size[0], size[1], tabNames[tab], i, w, l)
				}
			}
			typeKeys(m, "tab")
		}
	}
	m, _ := dashboard(t)
	send(m, tea.WindowSizeMsg{Width: 60, Height: 15})
	golden(t, "overview-60x15", screen(m))
}

// TestKeys: what the keys do beyond the screen: q and Ctrl-C quit, but q
// typed into the filter is text; y confirms a restart, which goes to the
// source and comes back as a notice; anything else calls it off.
func TestKeys(t *testing.T) {
	quits := func(cmd tea.Cmd) bool {
		if cmd == nil {
			return false
		}
		_, ok := cmd().(tea.QuitMsg)
		return ok
	}
	m, src := dashboard(t)
	if !quits(typeKeys(m, "q")) || !quits(typeKeys(m, "ctrl+c")) {
		t.Errorf("q or ctrl+c does not quit")
	}
	if quits(typeKeys(m, "/", "q")) || m.filter != "q" || !quits(typeKeys(m, "ctrl+c")) {
		t.Errorf("in the filter, q quits or ctrl+c does not (filter %q)", m.filter)
	}
	typeKeys(m, "esc")

	m, src = dashboard(t)
	cmd := typeKeys(m, "down", "r", "y")
	if cmd == nil || !strings.Contains(screen(m), "restarting web…") {
		t.Fatalf("y after r: no restart under way:\n%s", screen(m))
	}
	send(m, cmd())
	if len(src.restarts) != 1 || src.restarts[0] != "web" || !strings.Contains(screen(m), "web restarted and ready") {
		t.Errorf("restarts %v, screen:\n%s\nwant web restarted once, and said so", src.restarts, screen(m))
	}
	if typeKeys(m, "r", "n") != nil || len(src.restarts) != 1 || !strings.Contains(screen(m), "restart of web called off") {
		t.Errorf("n after r: restarts %v, screen:\n%s\nwant no restart, and said so", src.restarts, screen(m))
	}
	send(m, restartedMsg{"web", errors.New("the new run ended before it was ready")})
	if !strings.Contains(screen(m), "restart failed: the new run ended before it was ready") {
		t.Errorf("a failed restart is not shown:\n%s", screen(m))
	}
}

// TestLogFollow: the log follows new lines at the bottom, and once
// scrolled up it stays on the lines it shows while new ones come.
func TestLogFollow(t *testing.T) {
	m, _ := dashboard(t)
	typeKeys(m, "tab")
	send(m, logsMsg{{Time: t0, Process: "api", Stream: "stdout", Text: "newest line"}})
	if lines := strings.Split(screen(m), "\n"); !strings.Contains(lines[len(lines)-3], "newest line") {
		t.Errorf("following, the newest line is not at the bottom:\n%s", screen(m))
	}
	typeKeys(m, "pgup")
	before := screen(m)
	send(m, logsMsg{{Time: t0, Process: "api", Stream: "stdout", Text: "another"}, {Time: t0, Process: "web", Stream: "stdout", Text: "elsewhere"}})
	after := screen(m)
	logLines := func(s string) string { l := strings.Split(s, "\n"); return strings.Join(l[3:len(l)-2], "\n") }
	if strings.Contains(after, "another") || logLines(after) != logLines(before) || !strings.Contains(after, "20 lines up") {
		t.Errorf("scrolled up, new lines moved the log:\n%s\nwas\n%s", after, before)
	}
	typeKeys(m, "end")
	if !strings.Contains(screen(m), "another") || !strings.Contains(screen(m), "following") {
		t.Errorf("end does not follow again:\n%s", screen(m))
	}
}

// TestLogBounded: a process keeps its last lines only.
func TestLogBounded(t *testing.T) {
	m := New(context.Background(), &source{}, Options{Keep: 5, Now: func() time.Time { return t0 }})
	send(m, statusMsg{st: fleetStatus(0, 0)})
	for i := range 100 {
		send(m, logsMsg{{Time: t0, Process: "api", Stream: "stdout", Text: fmt.Sprintf("line %d", i)}})
	}
	typeKeys(m, "tab")
	s := screen(m)
	if !strings.Contains(s, "api · 5 lines") || strings.Contains(s, "line 94") || !strings.Contains(s, "line 95") || !strings.Contains(s, "line 99") {
		t.Errorf("with 5 lines kept, 100 lines of api show:\n%s", s)
	}
}

// TestFeed: lines followed from a source come in batches; a wait with no
// new line waits, even when a line came while the last batch gathered;
// the end of the follow is reported after the last batch.
func TestFeed(t *testing.T) {
	lines := make(chan telemetry.Entry)
	f := follow(context.Background(), &feedSource{lines: lines})
	line := func(s string) { lines <- telemetry.Entry{Process: "api", Text: s} }
	waited := make(chan tea.Msg, 1)
	wait := func() { go func() { waited <- f.wait() }() }
	texts := func(msg tea.Msg) string {
		batch, _ := msg.(logsMsg)
		var out []string
		for _, e := range batch {
			out = append(out, e.Text)
		}
		return strings.Join(out, " ")
	}

	line("0")
	wait()
	time.Sleep(redrawEvery / 3) // the wait is gathering its batch
	line("1")
	if got := texts(<-waited); got != "0 1" {
		t.Fatalf("first batch %q, want 0 1", got)
	}
	wait()
	select {
	case msg := <-waited:
		t.Fatalf("with no new line, the wait returned %#v", msg)
	case <-time.After(3 * redrawEvery):
	}
	line("2")
	if got := texts(<-waited); got != "2" {
		t.Errorf("second batch %q, want 2", got)
	}
	close(lines)
	if msg, ok := f.wait().(logsEndedMsg); !ok || msg.err == nil {
		t.Errorf("after the follow ended: %#v, want logsEndedMsg with its error", msg)
	}
}

// feedSource follows lines from a channel until it closes.
type feedSource struct {
	source
	lines chan telemetry.Entry
}

func (s *feedSource) Logs(_ context.Context, _ control.LogQuery, fn func(telemetry.Entry) error) error {
	for e := range s.lines {
		fn(e)
	}
	return errors.New("the mothership went away")
}

// TestEmptyAndLost: before the first snapshot, with nothing in the fleet,
// and when the fleet stops answering, each tab says so.
func TestEmptyAndLost(t *testing.T) {
	m := New(context.Background(), &source{}, Options{Now: func() time.Time { return t0 }})
	if s := screen(m); !strings.Contains(s, "waiting for the fleet's status…") {
		t.Errorf("before the first snapshot:\n%s", s)
	}
	send(m, statusMsg{st: control.Status{Time: t0, PID: 1, Phase: "Launching", Started: t0}})
	for _, tt := range []struct{ tab, want string }{
		{"Overview", "no ships or bays yet"}, {"Logs", "no lines yet"}, {"Modules", "no modules"}, {"Routes", "no routes"},
	} {
		if s := screen(m); !strings.Contains(s, "["+tt.tab+"]") || !strings.Contains(s, tt.want) {
			t.Errorf("%s of an empty fleet: want %q in\n%s", tt.tab, tt.want, s)
		}
		typeKeys(m, "tab")
	}
	send(m, statusMsg{err: control.ErrNotRunning})
	if s := screen(m); !strings.Contains(s, "no status: no mothership is running") || !strings.Contains(s, "mothership Launching") {
		t.Errorf("when the fleet stops answering, want the last snapshot and the reason:\n%s", s)
	}
}
