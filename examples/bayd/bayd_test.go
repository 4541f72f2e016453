package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// startBay runs bayd of the given type on a fresh socket until the test
// ends, and returns the socket's path and a stop function that drains it
// (for up to two seconds) and reports run's result.
func startBay(t *testing.T, bayType string) (string, func() error) {
	t.Helper()
	return startBayDraining(t, bayType, 2*time.Second)
}

// startBayDraining is startBay with the drain timeout given.
func startBayDraining(t *testing.T, bayType string, drain time.Duration) (string, func() error) {
	t.Helper()
	dir, err := os.MkdirTemp("", "bd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cfg := config{ship: "test", socket: filepath.Join(dir, "b.sock"), bayType: bayType, threads: 2, drain: drain}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.DiscardHandler)) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("bay did not stop")
		}
	})
	t.Cleanup(func() { stop() })
	return cfg.socket, stop
}

// dial docks a link to the bay, retrying while its socket is not there yet.
func dial(t *testing.T, path string, version int) *docking.Link {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		l, err := docking.Dial(ctx, path, version, map[string]string{"role": "test"})
		cancel()
		if err == nil {
			t.Cleanup(func() { l.Close() })
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("dial: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// response is what Mothership collects of one response.
type response struct {
	status  uint16
	kind    docking.Kind
	headers map[string]string
	body    string
	path    string
}

// do sends a request on l and reads its response up to its Ready.
func do(t *testing.T, l *docking.Link, id uint32, method, path, query string, body []byte) response {
	t.Helper()
	params := []docking.Pair{
		{Name: []byte("REQUEST_METHOD"), Value: []byte(method)},
		{Name: []byte("PATH_INFO"), Value: []byte(path)},
		{Name: []byte("QUERY_STRING"), Value: []byte(query)},
	}
	if err := l.W.WriteHail(id, uint64(len(body)), params...); err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		if err := l.W.WriteHaul(id, true, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.W.Flush(); err != nil {
		t.Fatal(err)
	}
	var rep docking.Reply
	next(t, l, docking.TypeReply, rep.Decode)
	resp := response{status: rep.Status, kind: rep.Kind, headers: map[string]string{}, path: string(rep.Path)}
	for _, h := range rep.Headers {
		resp.headers[string(h.Name)] = string(h.Value)
	}
	if rep.Kind == docking.ReplyStream {
		var b bytes.Buffer
		for {
			var h docking.Haul
			next(t, l, docking.TypeHaul, h.Decode)
			b.Write(h.Data)
			if h.Fin {
				break
			}
		}
		resp.body = b.String()
	}
	var ready docking.Ready
	next(t, l, docking.TypeReady, ready.Decode)
	if ready.RequestID != id || rep.RequestID != id {
		t.Errorf("%s %s: Reply for %d and Ready for %d, want %d", method, path, rep.RequestID, ready.RequestID, id)
	}
	return resp
}

// next reads the next frame, which must be of type want, and decodes it.
func next(t *testing.T, l *docking.Link, want docking.Type, decode func([]byte) error) {
	t.Helper()
	f, err := l.R.Next()
	if err == nil {
		err = f.Expect(want)
	}
	if err == nil {
		err = decode(f.Payload)
	}
	if err != nil {
		t.Fatalf("reading a %s: %v", want, err)
	}
}

func TestHTTPRoutes(t *testing.T) {
	path, stop := startBay(t, bayHTTP)
	l := dial(t, path, docking.VersionHTTP)
	if l.Dock.Version != 3 || l.Dock.Ship != "test" || l.Dock.PID != os.Getpid() || l.Dock.Threads != 2 {
		t.Errorf("Dock %+v, want v3 ship test with pid and 2 threads", l.Dock)
	}
	cases := []struct {
		method, path, query string
		body                string
		status              uint16
		kind                docking.Kind
		want                string
		header              string // a header that must be set, name=value
	}{
		{"GET", "/hello", "", "", 200, docking.ReplyStream, "hello from test", "content-type=text/plain; charset=utf-8"},
		{"POST", "/echo", "", "ping", 200, docking.ReplyStream, "ping", "x-body-length=4"},
		{"POST", "/echo", "", string(bytes.Repeat([]byte("b"), 200_000)), 200, docking.ReplyStream, string(bytes.Repeat([]byte("b"), 200_000)), "x-body-length=200000"},
		{"GET", "/empty", "", "", 204, docking.ReplyEmpty, "", ""},
		{"GET", "/stream", "n=3", "", 200, docking.ReplyStream, "chunk 0\nchunk 1\nchunk 2\n", ""},
		{"GET", "/sleep", "ms=10", "", 200, docking.ReplyStream, "slept 10 ms\n", ""},
		{"GET", "/pid", "", "", 200, docking.ReplyStream, strconv.Itoa(os.Getpid()), ""},
		{"HEAD", "/hello", "", "", 200, docking.ReplyEmpty, "", "content-type=text/plain; charset=utf-8"},
		{"GET", "/ws", "", "", 426, docking.ReplyStream, "/ws needs a WebSocket upgrade\n", "upgrade=websocket"},
		{"GET", "/nope", "", "", 404, docking.ReplyStream, "not found\n", ""},
	}
	for i, c := range cases {
		name := c.method + " " + c.path
		r := do(t, l, uint32(i+1), c.method, c.path, c.query, []byte(c.body))
		if r.status != c.status || r.kind != c.kind || r.body != c.want {
			t.Errorf("%s: %d %s %.40q, want %d %s %.40q", name, r.status, r.kind, r.body, c.status, c.kind, c.want)
		}
		if c.header != "" {
			k, v, _ := bytes.Cut([]byte(c.header), []byte("="))
			if got := r.headers[string(k)]; got != string(v) {
				t.Errorf("%s: header %s = %q, want %q", name, k, got, v)
			}
		}
	}
	r := do(t, l, 99, "GET", "/file", "", nil)
	content, err := os.ReadFile(r.path)
	if r.status != 200 || r.kind != docking.ReplyFile || err != nil || string(content) != "file reply\n" {
		t.Errorf("GET /file: %d %s path %q holding %q, %v; want 200 file holding the file reply", r.status, r.kind, r.path, content, err)
	}
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if _, err := l.R.Next(); err != io.EOF {
		t.Errorf("idle link after the drain: %v, want EOF", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after the drain: %v, want it removed", err)
	}
}

// clientFrame is a masked frame, as a WebSocket client sends it.
func clientFrame(opcode byte, payload string) []byte {
	mask := [4]byte{1, 2, 3, 4}
	f := []byte{0x80 | opcode, 0x80 | byte(len(payload))}
	f = append(f, mask[:]...)
	for i := range len(payload) {
		f = append(f, payload[i]^mask[i&3])
	}
	return f
}

func TestHTTPTunnel(t *testing.T) {
	path, _ := startBay(t, bayHTTP)
	l := dial(t, path, docking.VersionHTTP)
	params := []docking.Pair{
		{Name: []byte("REQUEST_METHOD"), Value: []byte("GET")},
		{Name: []byte("PATH_INFO"), Value: []byte("/ws")},
		{Name: []byte("HTTP_UPGRADE"), Value: []byte("websocket")},
		{Name: []byte("HTTP_SEC_WEBSOCKET_KEY"), Value: []byte("dGhlIHNhbXBsZSBub25jZQ==")},
	}
	send := func(fin bool, data []byte) {
		t.Helper()
		if err := l.W.WriteHaul(5, fin, data); err != nil {
			t.Fatal(err)
		}
		if err := l.W.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.W.WriteHail(5, 0, params...); err != nil {
		t.Fatal(err)
	}
	send(false, nil)
	var rep docking.Reply
	next(t, l, docking.TypeReply, rep.Decode)
	if rep.Status != 101 || rep.Kind != docking.ReplyTunnel || len(rep.Headers) != 3 || string(rep.Headers[2].Value) != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("Reply %d %s %q, want 101 tunnel with the RFC 6455 accept key", rep.Status, rep.Kind, rep.Headers)
	}
	steps := []struct {
		name string
		send []byte
		want []string // the Hauls back: their data, and "FIN" for the end
	}{
		{"text", clientFrame(opText, "hi"), []string{"\x81\x02hi"}},
		{"two frames in one haul", append(clientFrame(opBinary, "a"), clientFrame(opPing, "p")...), []string{"\x82\x01a\x8a\x01p"}},
		{"half a frame", clientFrame(opText, "split")[:4], nil},
		{"its other half", clientFrame(opText, "split")[4:], []string{"\x81\x05split"}},
		{"close", clientFrame(opClose, "\x03\xe8"), []string{"\x88\x02\x03\xe8", "FIN"}},
	}
	for _, s := range steps {
		send(false, s.send)
		for _, want := range s.want {
			var h docking.Haul
			next(t, l, docking.TypeHaul, h.Decode)
			got := string(h.Data)
			if h.Fin {
				got += "FIN"
			}
			if got != want {
				t.Errorf("%s: Haul %q, want %q", s.name, got, want)
			}
		}
	}
	if _, err := l.R.Next(); err != io.EOF {
		t.Errorf("after the tunnel: %v, want the link closed", err)
	}
}

func TestHTTPProtocolErrors(t *testing.T) {
	path, _ := startBay(t, bayHTTP)
	cases := []struct {
		name  string
		write func(w *docking.Writer) error
	}{
		{"haul before hail", func(w *docking.Writer) error { return w.WriteHaul(1, true, []byte("x")) }},
		{"haul of another request", func(w *docking.Writer) error {
			w.WriteHail(1, 2)
			return w.WriteHaul(2, true, []byte("xy"))
		}},
		{"body short at fin", func(w *docking.Writer) error {
			w.WriteHail(1, 5)
			return w.WriteHaul(1, true, []byte("xy"))
		}},
		{"body too long", func(w *docking.Writer) error {
			w.WriteHail(1, 1)
			return w.WriteHaul(1, true, []byte("xy"))
		}},
	}
	for _, c := range cases {
		l := dial(t, path, docking.VersionHTTP)
		if err := c.write(l.W); err != nil {
			t.Fatal(err)
		}
		if err := l.W.Flush(); err != nil {
			t.Fatal(err)
		}
		if f, err := l.R.Next(); err != io.EOF {
			t.Errorf("%s: got %s, %v; want the link closed", c.name, f.Type, err)
		}
		l.Close()
	}
}

func TestWebSocketBay(t *testing.T) {
	path, _ := startBay(t, bayWebSocket)
	l := dial(t, path, docking.VersionWebSocket)
	w := l.W
	w.WriteBoarding(docking.Boarding{ConnID: 7, Path: "/cable?x=1", RemoteAddr: "10.0.0.1:1", Headers: map[string]string{"cookie": "a=b"}})
	w.WriteCargo(7, []byte("hi"))
	w.WriteCargo(8, []byte("to nobody"))
	w.WriteCargo(7, []byte("close"))
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var c docking.Cargo
	wants := []string{`{"type":"welcome","conn":7,"path":"/cable?x=1","headers":{"cookie":"a=b"}}`, "hi"}
	for _, want := range wants {
		next(t, l, docking.TypeCargo, c.Decode)
		if c.ConnID != 7 || string(c.Data) != want {
			t.Errorf("Cargo %d %q, want 7 %q", c.ConnID, c.Data, want)
		}
	}
	var d docking.Disembark
	next(t, l, docking.TypeDisembark, d.Decode)
	if d != (docking.Disembark{ConnID: 7, Code: 4000, Reason: "bye"}) {
		t.Errorf("Disembark %+v, want conn 7, 4000 bye", d)
	}
}

// TestHTTPDrain checks that a request in flight at TERM is answered before
// its link closes.
func TestHTTPDrain(t *testing.T) {
	path, stop := startBay(t, bayHTTP)
	l := dial(t, path, docking.VersionHTTP)
	stopped := make(chan error, 1)
	time.AfterFunc(100*time.Millisecond, func() { stopped <- stop() })
	if r := do(t, l, 1, "GET", "/sleep", "ms=400", nil); r.status != 200 || r.body != "slept 400 ms\n" {
		t.Errorf("request in flight: %d %q, want it answered", r.status, r.body)
	}
	if _, err := l.R.Next(); err != io.EOF {
		t.Errorf("after the last reply: %v, want the link closed", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("stop: %v", err)
	}
}

func TestEchoFramesRefusals(t *testing.T) {
	cases := []struct {
		name  string
		frame []byte
		code  string
	}{
		{"unmasked", []byte{0x81, 0x01, 'x'}, "\x03\xea"},
		{"reserved bit", append([]byte{0xc1}, clientFrame(opText, "x")[1:]...), "\x03\xea"},
		{"unknown opcode", clientFrame(0x3, "x"), "\x03\xea"},
		{"fragmented ping", append([]byte{0x09}, clientFrame(opPing, "x")[1:]...), "\x03\xea"},
		{"too big", []byte{0x82, 0xff, 0, 0, 0, 0, 0xff, 0, 0, 0}, "\x03\xf1"},
	}
	for _, c := range cases {
		out, _, closing := echoFrames(nil, c.frame)
		if !closing || len(out) < 4 || out[0] != 0x88 || string(out[2:4]) != c.code {
			t.Errorf("%s: answer % x, closing %v; want a close with code % x", c.name, out, closing, c.code)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want config
		err  string
	}{
		{"defaults", map[string]string{"MS_SOCKET_PATH": "/s.sock"}, config{ship: "bayd", socket: "/s.sock", bayType: bayHTTP, threads: 3, drain: 4 * time.Second}, ""},
		{"socket dir", map[string]string{"MS_SHIP": "chat", "MS_SOCKET_DIR": "/run/ms", "MS_BAY_TYPE": "websocket"}, config{ship: "chat", socket: "/run/ms/chat.sock", bayType: bayWebSocket, threads: 3, drain: 4 * time.Second}, ""},
		{"xdg", map[string]string{"XDG_RUNTIME_DIR": "/run/user/1", "MS_BAY_THREADS": "8", "MS_BAY_DRAIN_TIMEOUT": "0.5"}, config{ship: "bayd", socket: "/run/user/1/mothership/bayd.sock", bayType: bayHTTP, threads: 8, drain: 500 * time.Millisecond}, ""},
		{"bad type", map[string]string{"MS_BAY_TYPE": "grpc"}, config{}, `MS_BAY_TYPE "grpc"`},
		{"zero threads", map[string]string{"MS_BAY_THREADS": "0"}, config{}, "MS_BAY_THREADS"},
		{"bad drain", map[string]string{"MS_BAY_DRAIN_TIMEOUT": "soon"}, config{}, "MS_BAY_DRAIN_TIMEOUT"},
	}
	for _, c := range cases {
		got, err := loadConfig(func(k string) string { return c.env[k] })
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one saying %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
}

// TestHTTPDrainTimeout checks that a request still running when the drain
// times out loses its link, and the bay still stops.
func TestHTTPDrainTimeout(t *testing.T) {
	path, stop := startBayDraining(t, bayHTTP, 200*time.Millisecond) // the request sleeps 30 s
	l := dial(t, path, docking.VersionHTTP)
	if err := l.W.WriteHail(1, 0, docking.Pair{Name: []byte("PATH_INFO"), Value: []byte("/sleep")}, docking.Pair{Name: []byte("QUERY_STRING"), Value: []byte("ms=30000")}); err != nil {
		t.Fatal(err)
	}
	if err := l.W.Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if err := stop(); err != nil {
		t.Errorf("stop: %v", err)
	}
	if f, err := l.R.Next(); err != io.EOF {
		t.Errorf("the cut request got %s, %v; want the link closed", f.Type, err)
	}
}
