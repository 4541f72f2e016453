package httpprobe

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheck runs the check against a real server on a Unix socket, which
// the client dials whatever the URL's host: 2xx and 3xx pass (a redirect
// is not followed), anything else fails naming the path and status; the
// check says who it is.
func TestCheck(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("User-Agent") != UserAgent:
			w.WriteHeader(http.StatusTeapot)
		case r.URL.Path == "/ok":
			w.Write([]byte(strings.Repeat("x", 1<<20))) // more than a check drains
		case r.URL.Path == "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case r.URL.Path == "/elsewhere":
			w.WriteHeader(http.StatusInternalServerError) // a followed redirect would fail
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	cl := NewClient("unix", sock, 5*time.Second)
	for _, tc := range []struct {
		name, path, err string
	}{
		{"200 with a long body", "/ok", ""},
		{"a redirect, not followed", "/moved", ""},
		{"503", "/health", "GET /health: 503 Service Unavailable"},
	} {
		err := Check(context.Background(), cl, "http://localhost"+tc.path)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || err.Error() != tc.err) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
}

// TestCheckTimeout: the client's timeout ends a check that gets no answer.
func TestCheckTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() }) // accepted by the kernel, never answered
	began := time.Now()
	err = Check(context.Background(), NewClient("tcp", ln.Addr().String(), 100*time.Millisecond), "http://"+ln.Addr().String()+"/health")
	if err == nil || time.Since(began) > 5*time.Second {
		t.Errorf("a silent target: %v after %v, want an error after about 100ms", err, time.Since(began))
	}
}
