package fleet

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// TestReadinessGatesDependents: b depends on a, and starts only once a is
// ready, whatever "ready" means for a; c depends on nothing and starts at once.
func TestReadinessGatesDependents(t *testing.T) {
	t.Parallel()
	const slow = 300 * time.Millisecond
	tests := []struct {
		name    string
		a       func(t *testing.T) *manifest.Ship
		readyAt string        // what a notes when it becomes ready
		minWait time.Duration // from a's start to b's start
	}{
		{
			name: "healthcheck passes",
			a: func(*testing.T) *manifest.Ship {
				s := withEnv(helperShip("a", "http"), "HELPER_READY_AFTER", slow.String())
				s.AutoPort = true
				s.Healthcheck = &manifest.Healthcheck{Path: "/health", Interval: time.Second, Timeout: time.Second, Retries: 1}
				return s
			},
			readyAt: "healthy",
			minWait: slow,
		},
		{
			name: "tcp bind accepts",
			a: func(*testing.T) *manifest.Ship {
				s := withEnv(helperShip("a", "listen"), "HELPER_DELAY", slow.String())
				s.AutoPort = true
				return s
			},
			readyAt: "listening",
			minWait: slow,
		},
		{
			name: "unix bind accepts",
			a: func(t *testing.T) *manifest.Ship {
				sock := filepath.Join(t.TempDir(), "a.sock")
				s := withEnv(helperShip("a", "listen"), "HELPER_DELAY", slow.String(), "HELPER_UNIX", sock)
				s.Bind = &manifest.Addr{Network: "unix", Address: sock}
				return s
			},
			readyAt: "listening",
			minWait: slow,
		},
		{
			name: "oneshot exits 0",
			a: func(*testing.T) *manifest.Ship {
				s := withEnv(helperShip("a", "exit"), "HELPER_DELAY", slow.String(), "HELPER_CODE", "0")
				s.Oneshot = true
				return s
			},
			readyAt: "end",
			minWait: slow,
		},
		{
			// Running is ready: b may well say it started before a does.
			name: "running",
			a:    func(*testing.T) *manifest.Ship { return helperShip("a", "sleep") },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, notes := testManifest(t, tt.a(t), helperShip("b", "sleep", "a"), helperShip("c", "sleep"))
			if err := AssignPorts(m); err != nil {
				t.Fatal(err)
			}
			f, _ := start(t, m, Options{})
			aStart, bStart, cStart := notes.at(t, "a", "start"), notes.at(t, "b", "start"), notes.at(t, "c", "start")
			if tt.readyAt == "" {
				return
			}
			aReady := notes.at(t, "a", tt.readyAt)
			if !bStart.After(aReady) {
				t.Errorf("%s: b started %s before a was ready", tt.name, aReady.Sub(bStart))
			}
			if got := bStart.Sub(aStart); got < tt.minWait {
				t.Errorf("%s: b started %s after a, want at least %s", tt.name, got, tt.minWait)
			}
			if !cStart.Before(aReady) {
				t.Errorf("%s: c, which depends on nothing, waited for a", tt.name)
			}
			for _, s := range f.Status() {
				if s.State != Ready {
					t.Errorf("%s: after Launch, %s is %s, want ready", tt.name, s.Name, s.State)
				}
			}
		})
	}
}

// TestOneshotIsDone: a oneshot that exited 0 stays ready and is not restarted.
func TestOneshotIsDone(t *testing.T) {
	t.Parallel()
	s := withEnv(helperShip("once", "exit"), "HELPER_CODE", "0")
	s.Oneshot = true
	m, notes := testManifest(t, s)
	f, rec := start(t, m, Options{})
	time.Sleep(200 * time.Millisecond) // several backoffs, had it crashed
	if n := len(notes.times(t, "once", "start")); n != 1 {
		t.Errorf("the oneshot ran %d times, want 1", n)
	}
	st := statusOf(t, f, "once")
	if st.State != Ready || st.Restarts != 0 || st.PID != 0 {
		t.Errorf("oneshot status = %+v, want ready, no restarts, no pid", st)
	}
	if slices.Contains(rec.statesOf("once"), Backoff) {
		t.Errorf("oneshot went through backoff: %v", rec.statesOf("once"))
	}
}

// TestLaunchFailures: what keeps a critical process from getting ready
// fails the launch with an error that names it, and its dependents never
// start.
func TestLaunchFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ship func() *manifest.Ship
		want []string
	}{
		{
			name: "boot timeout",
			ship: func() *manifest.Ship {
				s := withEnv(helperShip("web", "http"), "HELPER_READY_AFTER", "1h")
				s.AutoPort = true
				s.Healthcheck = &manifest.Healthcheck{Path: "/health", Interval: time.Second, Timeout: time.Second, Retries: 1}
				// Long enough for the helper to start and answer a check (the
				// 503 the error quotes) on a loaded machine: at 300 ms the
				// last check was sometimes the timeout itself.
				s.BootTimeout = time.Second
				return s
			},
			want: []string{"ship web", "boot_timeout 1s", "503"},
		},
		{
			name: "command not found",
			ship: func() *manifest.Ship {
				s := helperShip("web", "sleep")
				s.Command = "no-such-command-for-fleet"
				return s
			},
			want: []string{"start web", `"no-such-command-for-fleet" not found in $PATH`},
		},
		{
			name: "cwd missing",
			ship: func() *manifest.Ship {
				s := helperShip("web", "sleep")
				s.Cwd = "/no/such/dir"
				return s
			},
			want: []string{"start web", "/no/such/dir"},
		},
		{
			name: "exits before ready",
			ship: func() *manifest.Ship {
				s := withEnv(helperShip("web", "exit"), "HELPER_CODE", "2")
				s.AutoPort = true
				return s
			},
			want: []string{"ship web", "exited before it was ready", "exit status 2"},
		},
		{
			name: "oneshot fails",
			ship: func() *manifest.Ship {
				s := withEnv(helperShip("web", "exit"), "HELPER_CODE", "3")
				s.Oneshot = true
				return s
			},
			want: []string{"ship web", "exit status 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			failing := tt.ship()
			failing.Critical = true
			m, notes := testManifest(t, failing, helperShip("after", "sleep", "web"))
			if err := AssignPorts(m); err != nil {
				t.Fatal(err)
			}
			f, _ := newFleet(t, m, Options{})
			began := time.Now()
			err := f.Launch(context.Background())
			if err == nil {
				t.Fatalf("%s: Launch succeeded", tt.name)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not say %q", tt.name, err, w)
				}
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("%s: Launch took %s to fail", tt.name, d)
			}
			if got := notes.times(t, "after", "start"); len(got) > 0 {
				t.Errorf("%s: a dependent of the failed ship started", tt.name)
			}
		})
	}
}

// TestEnv: what each process finds in its environment and arguments.
func TestEnv(t *testing.T) {
	t.Parallel()
	sockets := t.TempDir()
	ship := withEnv(helperShip("web", "env"), "LAYER", "own")
	ship.AutoPort = true
	ship.Args = []string{"--port=$PORT", "${PORT}", "$PORTS"}
	bay := &manifest.Bay{
		Process: manifest.Process{Name: "chat", Command: testExe, Env: map[string]string{"GO_FLEET_HELPER": "env"}},
		Type:    "websocket", Workers: 2, Threads: 4,
	}
	rack := &manifest.Bay{
		Process: manifest.Process{Name: "rack", Command: testExe, Env: map[string]string{"GO_FLEET_HELPER": "env"}},
		Type:    "http", Workers: -1, Threads: 4, RequestTimeout: 2500 * time.Millisecond,
	}
	m, _ := testManifest(t, ship)
	m.Bays = []*manifest.Bay{bay, rack}
	m.Mothership.Env["LAYER"] = "mothership"
	m.Mothership.Env["SHARED"] = "from mothership"
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(m.Ships[0].Bind.Port())
	base := []string{"PATH=/usr/bin:/bin", "BASE=inherited", "LAYER=inherited", "MS_PID=stale"}
	_, rec := start(t, m, Options{Env: base, SocketDir: sockets})

	pid := strconv.Itoa(os.Getpid())
	tests := []struct {
		process string
		env     map[string]string // "" means unset
		args    []string
	}{
		{
			process: "web",
			env: map[string]string{
				"MS_PID": pid, "MS_SHIP": "web", "PORT": port,
				"BASE": "inherited", "SHARED": "from mothership", "LAYER": "own",
				"MS_SOCKET_PATH": "",
			},
			args: []string{"--port=" + port, port, "$PORTS"},
		},
		{
			process: "chat",
			env: map[string]string{
				"MS_PID": pid, "MS_SHIP": "chat", "PORT": "",
				"MS_SOCKET_DIR": sockets, "MS_SOCKET_PATH": filepath.Join(sockets, "chat.sock"),
				"MS_BAY_TYPE": "websocket", "MS_BAY_WORKERS": "", "MS_BAY_THREADS": "", "MS_BAY_DRAIN_TIMEOUT": "",
				"SHARED": "from mothership", "LAYER": "mothership",
			},
		},
		{
			process: "rack",
			env: map[string]string{
				"MS_SHIP": "rack", "MS_SOCKET_PATH": filepath.Join(sockets, "rack.sock"), "MS_BAY_TYPE": "http",
				"MS_BAY_WORKERS": strconv.Itoa(runtime.NumCPU()), "MS_BAY_THREADS": "4", "MS_BAY_DRAIN_TIMEOUT": "2.5",
			},
		},
	}
	for _, tt := range tests {
		waitFor(t, 5*time.Second, tt.process+" to print its environment", func() bool {
			return slices.Contains(rec.output(tt.process, "stdout"), "DONE")
		})
		env := map[string][]string{}
		var args []string
		for _, l := range rec.output(tt.process, "stdout") {
			if kv, ok := strings.CutPrefix(l, "ENV "); ok {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = append(env[k], v)
			} else if a, ok := strings.CutPrefix(l, "ARG "); ok {
				args = append(args, a)
			}
		}
		for k, want := range tt.env {
			got := env[k]
			switch {
			case want == "" && len(got) > 0:
				t.Errorf("%s: %s = %q, want it unset", tt.process, k, got)
			case want != "" && !slices.Equal(got, []string{want}):
				t.Errorf("%s: %s = %q, want exactly [%q]", tt.process, k, got, want)
			}
		}
		if !slices.Equal(args, tt.args) {
			t.Errorf("%s: args = %q, want %q", tt.process, args, tt.args)
		}
	}
}

// TestSelection: --only and --except, with what the selected ones need
// pulled in and the log saying why.
func TestSelection(t *testing.T) {
	t.Parallel()
	tagged := func(s *manifest.Ship, tags ...string) *manifest.Ship {
		s.Tags = tags
		return s
	}
	tests := []struct {
		name         string
		only, except []string
		want         []string
		why          []string // log lines that explain a pull-in
		err          string
	}{
		{name: "all", want: []string{"db", "api", "web", "worker"}},
		{
			name: "only web pulls in its chain", only: []string{"web"},
			want: []string{"db", "api", "web"},
			why:  []string{"starting api: web depends on it", "starting db: api depends on it"},
		},
		{name: "except jobs", except: []string{"jobs"}, want: []string{"db", "api", "web"}},
		{
			name: "except db is overruled by api", except: []string{"db"},
			want: []string{"db", "api", "web", "worker"},
			why:  []string{"starting db: api depends on it"},
		},
		{name: "only jobs", only: []string{"jobs"}, want: []string{"worker"}},
		{name: "unknown tag", only: []string{"wbe"}, err: `no ship or bay is tagged "wbe"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, _ := testManifest(t,
				tagged(helperShip("db", "sleep"), "db"),
				tagged(helperShip("api", "sleep", "db"), "api"),
				tagged(helperShip("web", "sleep", "api"), "web", "front"),
				tagged(helperShip("worker", "sleep"), "jobs"),
			)
			opts := Options{Only: tt.only, Except: tt.except, Logger: nopLogger{}}
			if tt.err != "" {
				_, err := New(m, opts)
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("%s: New error = %v, want %q", tt.name, err, tt.err)
				}
				return
			}
			f, rec := start(t, m, opts)
			var got []string
			for _, s := range f.Status() {
				got = append(got, s.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: selected %v, want %v", tt.name, got, tt.want)
			}
			for _, w := range tt.why {
				if !rec.hasEvent("info "+w, "process=") {
					t.Errorf("%s: no log line %q", tt.name, w)
				}
			}
		})
	}
}

// TestOutput: both streams reach the Logger line by line, with the right
// process and stream, long lines capped, a last line without newline kept.
func TestOutput(t *testing.T) {
	t.Parallel()
	s := helperShip("talker", "output")
	s.Oneshot = true
	m, _ := testManifest(t, s)
	_, rec := start(t, m, Options{})
	long := strings.Repeat("x", maxLine) + truncated
	wantOut := []string{"hello stdout", long, "after long", "partial"}
	if got := rec.output("talker", "stdout"); !slices.Equal(got, wantOut) {
		t.Errorf("stdout lines = %.80q, want %.80q", got, wantOut)
	}
	if got := rec.output("talker", "stderr"); !slices.Equal(got, []string{"hello stderr"}) {
		t.Errorf("stderr lines = %q", got)
	}
}

// TestStopDuringLaunch: Stop cancels a launch that waits on a ship.
func TestStopDuringLaunch(t *testing.T) {
	t.Parallel()
	s := withEnv(helperShip("slow", "http"), "HELPER_READY_AFTER", "1h")
	s.AutoPort = true
	s.Healthcheck = &manifest.Healthcheck{Path: "/health", Interval: time.Second, Timeout: time.Second, Retries: 1}
	m, notes := testManifest(t, s, helperShip("after", "sleep", "slow"))
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, _ := newFleet(t, m, Options{})
	launched := make(chan error, 1)
	go func() { launched <- f.Launch(context.Background()) }()
	waitFor(t, 5*time.Second, "slow to start", func() bool { return len(notes.times(t, "slow", "start")) > 0 })
	pid := statusOf(t, f, "slow").PID
	began := time.Now()
	if err := f.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	select {
	case err := <-launched:
		if !errors.Is(err, ErrStopped) {
			t.Errorf("Launch returned %v, want ErrStopped", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Launch did not return after Stop")
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("Stop took %s", d)
	}
	if alive(pid) {
		t.Errorf("slow (pid %d) survived Stop", pid)
	}
	if got := notes.times(t, "after", "start"); len(got) > 0 {
		t.Errorf("after started though the launch was stopped")
	}
	if err := f.Launch(context.Background()); err == nil {
		t.Errorf("a second Launch succeeded")
	}
}

// TestLaunchGoesOnWithoutAFailedShipThatIsNotCritical: a ship that is not
// critical and fails its boot is logged; the others launch and it restarts.
func TestLaunchGoesOnWithoutAFailedShipThatIsNotCritical(t *testing.T) {
	t.Parallel()
	failing := withEnv(helperShip("web", "exit"), "HELPER_CODE", "2")
	failing.AutoPort = true
	m, _ := testManifest(t, failing, helperShip("after", "sleep", "web"))
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	f, rec := newFleet(t, m, Options{})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatalf("Launch: %v, want the launch to go on without the ship that is not critical", err)
	}
	if !slices.Contains(rec.statesOf("after"), Ready) {
		t.Errorf("the dependent is %v, want it ready", rec.statesOf("after"))
	}
	if !rec.hasEvent("warn not critical: launching the others without it", "process=web") {
		t.Errorf("no word that the launch went on without web")
	}
}
