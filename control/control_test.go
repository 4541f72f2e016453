package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/telemetry"
)

// The test binary doubles as the ships: with CONTROL_HELPER set it is one.
func TestMain(m *testing.M) {
	switch os.Getenv("CONTROL_HELPER") {
	case "api": // serves $PORT and prints a line every 100 ms
		ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go http.Serve(ln, http.NotFoundHandler())
		for i := 0; ; i++ {
			fmt.Println("tick", i)
			time.Sleep(100 * time.Millisecond)
		}
	case "worker": // one line on each stream, then waits to be stopped
		fmt.Println("worker up")
		fmt.Fprintln(os.Stderr, "worker warns")
		time.Sleep(time.Hour)
	}
	os.Exit(m.Run())
}

// testManifest runs two real ships: api, which serves its route's port
// and prints a line every 100 ms, and worker, which prints and waits.
const testManifest = `
[mothership.bind]
http = "127.0.0.1:9" # compiled for the routes, never listened on

[[fleet.web]]
name = "api"
command = "SELF"
env = { CONTROL_HELPER = "api" }
routes = [{ bind = "http", path_prefix = "/api" }]

[[fleet.workers]]
name = "worker"
command = "SELF"
env = { CONTROL_HELPER = "worker" }

[[modules]]
name = "guard"
wasm = "guard.wasm" # never run: the test serves no requests
routes = ["/api", "/api/.*"]
`

// running is a launched fleet with its control socket.
type running struct {
	fleet  *fleet.Fleet
	server *Server
	client *Client
}

// launch starts testManifest's fleet and serves it on a socket in a
// fresh directory.
func launch(t *testing.T) *running {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "ship-manifest.toml")
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	m, err := manifest.Parse(file, []byte(strings.ReplaceAll(testManifest, "SELF", self)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if err := fleet.AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	log, err := telemetry.NewLog(io.Discard, "text", false)
	if err != nil {
		t.Fatal(err)
	}
	hub := NewHub(0)
	log.SetTap(hub.Add)
	metrics := telemetry.NewMetrics()
	fl, err := fleet.New(m, fleet.Options{Logger: log, Observer: metrics, Timing: fleet.Timing{Grace: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(filepath.Join(dir, "control.sock"), NewLocal(fl, metrics, hub, m, tree))
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() {
		srv.Close()
		fl.Stop(context.Background())
	})
	if err := fl.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	metrics.SetPhase(fleet.Running)
	metrics.SetRole("solo")
	return &running{fleet: fl, server: srv, client: NewClient(srv.Path())}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestStatus: a client sees the phase, role and every process with its
// pid, state and routes.
func TestStatus(t *testing.T) {
	r := launch(t)
	st, err := r.client.Status(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Phase != "Running" || st.Role != "solo" || st.PID != os.Getpid() || len(st.Processes) != 2 {
		t.Fatalf("status = %+v, want Running, solo, this pid and two processes", st)
	}
	if want := (Module{Name: "guard", ABI: "mothership", Phase: "request", Routes: 2}); len(st.Modules) != 1 || st.Modules[0] != want {
		t.Errorf("modules %+v, want %+v", st.Modules, want)
	}
	tests := []struct {
		name, group, routes string
	}{
		{"api", "web", "http /api"},
		{"worker", "workers", ""},
	}
	for i, tt := range tests {
		p := st.Processes[i]
		if p.Name != tt.name || p.Group != tt.group || p.State != "ready" || p.PID == 0 || p.Since.IsZero() || strings.Join(p.Routes, ",") != tt.routes {
			t.Errorf("%s: %+v, want group %s, ready with a pid and start time, routes %q", tt.name, p, tt.group, tt.routes)
		}
	}
}

// TestRestart: restart over the socket returns once the ship runs again
// under a new pid; an unknown name is refused with the names there are.
func TestRestart(t *testing.T) {
	r := launch(t)
	ctx := ctxT(t)
	before, _ := r.client.Status(ctx)
	if err := r.client.Restart(ctx, "worker"); err != nil {
		t.Fatalf("restart worker: %v", err)
	}
	after, _ := r.client.Status(ctx)
	if old, now := before.Processes[1], after.Processes[1]; now.State != "ready" || now.PID == old.PID || now.PID == 0 {
		t.Errorf("after restart: worker %s pid %d (was %d), want ready under a new pid", now.State, now.PID, old.PID)
	}
	err := r.client.Restart(ctx, "nope")
	if err == nil || !strings.Contains(err.Error(), `no ship or bay named "nope" (there are: api, worker)`) {
		t.Errorf("restart nope: %v, want the names there are", err)
	}
}

// TestTwoClients: one client follows the log while another asks for the
// status and restarts a ship; the follower sees the lines of both runs.
// The worker is ready as soon as it runs, before it prints, so the
// restart waits until the follower has seen the first run's lines, as a
// user watching the log would: restarted sooner, that run may be stopped
// before it prints anything, and there is nothing to see.
func TestTwoClients(t *testing.T) {
	r := launch(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	lines := make(chan telemetry.Entry, 100)
	followed := make(chan error, 1)
	go func() {
		followed <- r.client.Logs(ctx, LogQuery{Tail: -1, Follow: true}, func(e telemetry.Entry) error {
			lines <- e
			return nil
		})
	}()
	awaitWorker(t, lines, "the first run")
	other := NewClient(r.server.Path())
	if _, err := other.Status(ctx); err != nil {
		t.Fatalf("second client's status: %v", err)
	}
	if err := other.Restart(ctx, "worker"); err != nil {
		t.Fatalf("second client's restart: %v", err)
	}
	awaitWorker(t, lines, "the restarted run")
	cancel()
	if err := <-followed; err != nil {
		t.Errorf("the follow ended with %v, want nil when its context ends", err)
	}
}

// awaitWorker reads the followed lines until it has seen both lines of
// one run of worker: "worker up" on stdout and "worker warns" on stderr,
// which come through two pipes in either order.
func awaitWorker(t *testing.T, lines <-chan telemetry.Entry, run string) {
	t.Helper()
	var up, warns bool
	for !up || !warns {
		select {
		case e := <-lines:
			up = up || (e.Process == "worker" && e.Stream == "stdout" && e.Text == "worker up")
			warns = warns || (e.Process == "worker" && e.Stream == "stderr" && e.Text == "worker warns")
		case <-time.After(10 * time.Second):
			t.Fatalf("%s of worker: the follower saw worker up on stdout %v, worker warns on stderr %v, want both", run, up, warns)
		}
	}
}

// TestLogsTail: a tail without follow ends, with the newest lines of only
// the process asked for, oldest first.
func TestLogsTail(t *testing.T) {
	r := launch(t)
	ctx := ctxT(t)
	var got []string
	for deadline := time.Now().Add(10 * time.Second); len(got) < 2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond) // until api has ticked twice
		got = nil
		err := r.client.Logs(ctx, LogQuery{Process: "api", Tail: 2}, func(e telemetry.Entry) error {
			got = append(got, e.Process+": "+e.Text)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("tail 2 of api: %q, want two lines", got)
	}
	var n int
	if _, err := fmt.Sscanf(got[0], "api: tick %d", &n); err != nil || got[1] != fmt.Sprintf("api: tick %d", n+1) {
		t.Errorf("tail 2 of api: %q, want two ticks of api in order", got)
	}
}

// TestBadRequest: what is not a request gets an error, and the same
// connection still answers the next one.
func TestBadRequest(t *testing.T) {
	r := launch(t)
	c, err := net.Dial("unix", r.server.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rd := bufio.NewReader(c)
	tests := []struct{ name, send, want string }{
		{"not JSON", "hello\n", "bad request: not a JSON object"},
		{"unknown op", `{"op":"launch"}` + "\n", `bad request: unknown op "launch"`},
		{"restart without a name", `{"op":"restart"}` + "\n", `bad request: restart needs "name"`},
		{"then a good one", `{"op":"status"}` + "\n", ""},
	}
	for _, tt := range tests {
		fmt.Fprint(c, tt.send)
		line, err := rd.ReadString('\n')
		var resp response
		if err == nil {
			err = json.Unmarshal([]byte(line), &resp)
		}
		switch {
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && (resp.Status == nil || resp.Status.Phase != "Running"):
			t.Errorf("%s: got %q, want the status", tt.name, line)
		case !strings.Contains(resp.Error, tt.want):
			t.Errorf("%s: got %q, want the error %q", tt.name, line, tt.want)
		}
	}
	// A line past the limit ends the connection, with the reason.
	fmt.Fprint(c, strings.Repeat("x", maxRequest+1)+"\n")
	line, _ := rd.ReadString('\n')
	var resp response
	json.Unmarshal([]byte(line), &resp)
	if !strings.Contains(resp.Error, "longer than") {
		t.Errorf("an overlong line: %q, want an error saying it is too long", line)
	}
	if _, err := rd.ReadString('\n'); !errors.Is(err, io.EOF) {
		t.Errorf("after an overlong line the connection stays open (%v)", err)
	}
}

// TestSocketPermissions: the socket is the owner's alone, even under a
// umask that lets everyone in.
func TestSocketPermissions(t *testing.T) {
	old := syscall.Umask(0)
	srv, err := Listen(filepath.Join(t.TempDir(), "control.sock"), hubOnly{NewHub(0)})
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fi, err := os.Stat(srv.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != os.ModeSocket || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with mode 0600", fi.Mode())
	}
}
