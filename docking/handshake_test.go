package docking

import (
	"context"
	"errors"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// socketPath returns a Unix socket path short enough for sun_path, which
// t.TempDir() under a long test name may not be.
func socketPath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "x.sock")
}

// listenBay listens at a fresh socket and runs serve on the first link.
func listenBay(t *testing.T, serve func(r *Reader, w *Writer) error) (string, <-chan error) {
	t.Helper()
	path := socketPath(t)
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer conn.Close()
		done <- serve(NewReader(conn), NewWriter(conn))
	}()
	return path, done
}

func TestDialHandshake(t *testing.T) {
	cases := []struct {
		name    string
		dock    Dock
		version int
		config  map[string]string
	}{
		{"http bay", Dock{Version: 3, Ship: "rack", PID: os.Getpid(), Threads: 3}, VersionHTTP, map[string]string{"role": "test"}},
		{"websocket bay", Dock{Version: 1, Ship: "orbitcast"}, VersionWebSocket, nil},
	}
	for _, c := range cases {
		var moored Moored
		path, done := listenBay(t, func(r *Reader, w *Writer) error {
			var err error
			moored, err = BayHandshake(r, w, c.dock)
			if err != nil {
				return err
			}
			if err := w.WriteReady(9); err != nil {
				return err
			}
			return w.Flush()
		})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		link, err := Dial(ctx, path, c.version, c.config)
		cancel()
		if err != nil {
			t.Fatalf("%s: Dial: %v", c.name, err)
		}
		if err := <-done; err != nil {
			t.Fatalf("%s: bay: %v", c.name, err)
		}
		if link.Dock != c.dock {
			t.Errorf("%s: Dock %+v, want %+v", c.name, link.Dock, c.dock)
		}
		if moored.Version != c.version || !maps.Equal(moored.Config, c.config) || moored.Config == nil {
			t.Errorf("%s: bay got Moored %+v, want version %d and config %v", c.name, moored, c.version, c.config)
		}
		// The bay's next frame must come through the link's own reader.
		if f, err := link.R.Next(); err != nil || f.Type != TypeReady {
			t.Errorf("%s: frame after the handshake: %s, %v; want Ready", c.name, f.Type, err)
		}
		link.Close()
	}
}

func TestHandshakeRefusals(t *testing.T) {
	cases := []struct {
		name    string
		send    func(w *Writer) error
		version int
		says    string
	}{
		{"hail first", func(w *Writer) error { return w.WriteHail(1, 0) }, VersionHTTP, "expected Dock, got Hail"},
		{"version 2", func(w *Writer) error { return w.WriteDock(Dock{Version: 2, Ship: "old"}) }, VersionHTTP, "protocol v2, which is not v1 (websocket) or v3 (http)"},
		{"version 0", func(w *Writer) error { return w.WriteDock(Dock{Ship: "none"}) }, VersionHTTP, "protocol v0"},
		{"websocket bay for an http one", func(w *Writer) error { return w.WriteDock(Dock{Version: 1, Ship: "orbit"}) }, VersionHTTP, `"orbit": bay docked with protocol v1 (websocket), expected v3 (http)`},
		{"bad json", func(w *Writer) error { return w.WriteEncoded([]byte{1, 0, 0, 0, 1, '['}) }, VersionWebSocket, "Dock: not a JSON object"},
		{"closed before dock", func(w *Writer) error { return nil }, VersionHTTP, "handshake: EOF"},
		{"partial dock", func(w *Writer) error { return w.WriteEncoded([]byte{1, 0, 0, 0, 9, '{'}) }, VersionHTTP, "6 bytes of a partial frame"},
	}
	for _, c := range cases {
		path, done := listenBay(t, func(r *Reader, w *Writer) error {
			if err := c.send(w); err != nil {
				return err
			}
			return w.Flush()
		})
		link, err := Dial(context.Background(), path, c.version, nil)
		if err == nil {
			link.Close()
			t.Errorf("%s: Dial succeeded", c.name)
		} else if !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: Dial = %v, want an error saying %q", c.name, err, c.says)
		}
		if err := <-done; err != nil {
			t.Errorf("%s: bay: %v", c.name, err)
		}
	}
}

func TestDialHonoursContext(t *testing.T) {
	path, done := listenBay(t, func(r *Reader, w *Writer) error {
		_, err := r.Next() // a bay that never docks
		return err
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := Dial(ctx, path, VersionHTTP, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Dial = %v, want context.Canceled", err)
	}
	<-done
	if _, err := Dial(context.Background(), path+".missing", VersionHTTP, nil); err == nil || !strings.Contains(err.Error(), "docking: dial") {
		t.Errorf("Dial to no socket = %v, want a dial error", err)
	}
}

func TestBayHandshakeRefusals(t *testing.T) {
	cases := []struct {
		name string
		dock Dock
		send func(w *Writer) error
		says string
	}{
		{"moored v2 to an http bay", Dock{Version: 3}, func(w *Writer) error { return w.WriteMoored(Moored{Version: 2}) }, "Mothership speaks docking protocol v2, the bay needs v3"},
		{"ready instead of moored", Dock{Version: 3}, func(w *Writer) error { return w.WriteReady(1) }, "expected Moored, got Ready"},
		{"closed before moored", Dock{Version: 1}, func(w *Writer) error { return nil }, "handshake: EOF"},
	}
	for _, c := range cases {
		path, done := listenBay(t, func(r *Reader, w *Writer) error {
			_, err := BayHandshake(r, w, c.dock)
			return err
		})
		conn, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		r, w := NewReader(conn), NewWriter(conn)
		if f, err := r.Next(); err != nil || f.Type != TypeDock {
			t.Fatalf("%s: first frame %s, %v; want Dock", c.name, f.Type, err)
		}
		if err := c.send(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		conn.(*net.UnixConn).CloseWrite()
		if err := <-done; err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: BayHandshake = %v, want an error saying %q", c.name, err, c.says)
		}
		conn.Close()
	}
}
