package control

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/telemetry"
)

// TestListenTakeover: a socket left by a dead mothership is replaced, one
// that answers is refused with ErrRunning and left working, and a file
// that is not a socket is never removed.
func TestListenTakeover(t *testing.T) {
	dir := t.TempDir()
	hub := NewHub(0)

	stale := filepath.Join(dir, "stale.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close() // the socket file stays, as after a crash
	srv, err := Listen(stale, hubOnly{hub})
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	go srv.Serve()
	defer srv.Close()

	_, err = Listen(stale, hubOnly{hub})
	if !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), stale) {
		t.Errorf("over a live socket: %v, want ErrRunning naming %s", err, stale)
	}
	if err := NewClient(stale).Logs(context.Background(), LogQuery{}, nil); err != nil {
		t.Errorf("the first server stopped answering after a second tried its socket: %v", err)
	}

	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("keep me"), 0o644)
	if _, err := Listen(file, hubOnly{hub}); err == nil || !strings.Contains(err.Error(), "is not a socket") {
		t.Errorf("over a plain file: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "keep me" {
		t.Errorf("the plain file was touched: %q", b)
	}
}

// TestClientNotRunning: with nothing on the socket, every call says so.
func TestClientNotRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none.sock")
	_, err := NewClient(path).Status(context.Background())
	if !errors.Is(err, ErrNotRunning) || !strings.Contains(err.Error(), path) {
		t.Errorf("status with nothing running: %v, want ErrNotRunning naming %s", err, path)
	}
	srv, err := Listen(path, hubOnly{NewHub(0)})
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Close left the socket file behind (%v)", err)
	}
	if err := NewClient(path).Restart(context.Background(), "api"); !errors.Is(err, ErrNotRunning) {
		t.Errorf("restart after the server closed: %v, want ErrNotRunning", err)
	}
}

// hubOnly is a Source with a log and nothing else.
type hubOnly struct{ hub *Hub }

func (h hubOnly) Status(context.Context) (Status, error) { return Status{}, nil }
func (h hubOnly) Restart(context.Context, string) error  { return errors.New("no fleet") }
func (h hubOnly) Logs(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error {
	return h.hub.Read(ctx, q, fn)
}
