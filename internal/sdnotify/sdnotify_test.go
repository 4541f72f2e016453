package sdnotify

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNotifySendsOneDatagramAndHidesTheSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "sd")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, tc := range []struct{ name, addr string }{
		{"a path", filepath.Join(dir, "notify")},
		{"an abstract socket", "@mothership-sdnotify-test-" + filepath.Base(dir)},
	} {
		ln, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: tc.addr, Net: "unixgram"})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		t.Setenv(Env, tc.addr)
		n, err := FromEnv()
		if err != nil || !n.Enabled() {
			t.Fatalf("%s: FromEnv: %v, enabled %v", tc.name, err, n.Enabled())
		}
		if v, set := os.LookupEnv(Env); set {
			t.Errorf("%s: %s is still %q, children would inherit it", tc.name, Env, v)
		}
		if err := n.Notify("READY=1", "STATUS=Running"); err != nil {
			t.Fatalf("%s: Notify: %v", tc.name, err)
		}
		buf := make([]byte, 256)
		ln.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, err := ln.Read(buf)
		if err != nil || string(buf[:k]) != "READY=1\nSTATUS=Running\n" {
			t.Errorf("%s: read %q, %v; want the two states in one datagram", tc.name, buf[:k], err)
		}
		ln.Close()
	}
}

func TestFromEnvWithoutSystemdSendsNothing(t *testing.T) {
	t.Setenv(Env, "")
	n, err := FromEnv()
	if err != nil || n.Enabled() || n.Notify("READY=1") != nil {
		t.Errorf("without %s: %v, enabled %v", Env, err, n.Enabled())
	}
	t.Setenv(Env, "relative/sock")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "relative/sock") {
		t.Errorf("a relative socket: %v, want an error naming it", err)
	}
}
