package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// shortSocketDir is a socket directory short enough for sun_path (the
// test's own temporary directory may not be).
func shortSocketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ms")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startBays runs mothership on manifest (HTTPPORT standing for a free port)
// with its bays' sockets in a short directory, waits until it runs, and
// returns it and the proxy's base URL.
func startBays(t *testing.T, manifest string) (*voyageUnderTest, string) {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	writeManifest(t, dir, strings.ReplaceAll(manifest, "HTTPPORT", fmt.Sprint(port)))
	v := startRunIn(t, dir, []string{"MS_SOCKET_DIR=" + shortSocketDir(t)})
	v.waitFor(t, "phase=Running", 20*time.Second)
	// A launch with bays of its own was Docking until they docked, then
	// Launching (a docking upstream is a bay outside the fleet).
	out := v.output()
	docking, launching := strings.Index(out, "phase phase=Docking"), strings.Index(out, "phase phase=Launching")
	if !strings.Contains(manifest, "[[bays.") {
		if docking >= 0 {
			t.Errorf("a launch without bays was Docking:\n%s", out)
		}
	} else if docking < 0 || launching < docking || !regexp.MustCompile(`state process=\S+ state=ready`).MatchString(out[docking:launching]) {
		t.Errorf("the launch's phases: Docking at %d, Launching at %d; want Docking, a bay ready, then Launching\n%s", docking, launching, out)
	}
	return v, fmt.Sprintf("http://127.0.0.1:%d", port)
}

const httpBayManifest = `
[mothership]
drain_timeout = "5s"

[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[bays.http]]
name = "rack"
command = "BAYD"
threads = 4
request_timeout = "1s"
routes = [{ pattern = "/.*", max_body_size = "32MiB" }]
`

func TestHTTPBayThroughARunningMothership(t *testing.T) {
	t.Parallel()
	v, base := startBays(t, httpBayManifest)
	c := &http.Client{Timeout: 20 * time.Second}

	t.Run("hello", func(t *testing.T) {
		if status, body := get(t, base+"/hello"); status != 200 || body != "hello from rack" {
			t.Errorf("GET /hello: %d %q", status, body)
		}
	})

	// Up to 1 MiB is spooled in memory, more to a file; 16 MiB is the
	// default max_body_size.
	for _, size := range []int{0, 1 << 20, 12 << 20} {
		t.Run(fmt.Sprintf("echo %d bytes", size), func(t *testing.T) {
			sent := make([]byte, size)
			rand.Read(sent)
			res, err := c.Post(base+"/echo", "application/octet-stream", bytes.NewReader(sent))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			got, err := io.ReadAll(res.Body)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("POST /echo with %d bytes: %d, %v", size, res.StatusCode, err)
			}
			if !bytes.Equal(got, sent) || res.Header.Get("X-Body-Length") != fmt.Sprint(size) {
				t.Errorf("POST /echo with %d bytes: got %d bytes back (X-Body-Length %q), not the body sent", size, len(got), res.Header.Get("X-Body-Length"))
			}
		})
	}

	t.Run("streamed reply", func(t *testing.T) {
		status, body := get(t, base+"/stream?n=5")
		want := ""
		for i := range 5 {
			want += fmt.Sprintf("chunk %d\n", i)
		}
		if status != 200 || body != want {
			t.Errorf("GET /stream?n=5: %d %q, want %q", status, body, want)
		}
	})

	t.Run("a stream longer than request_timeout", func(t *testing.T) {
		// 80 chunks 20 ms apart: 1.6 s in all, with request_timeout 1s,
		// which bounds the wait for the head and each gap, not the stream.
		status, body := get(t, base+"/stream?n=80")
		if n := strings.Count(body, "\n"); status != 200 || n != 80 {
			t.Errorf("GET /stream?n=80: %d, %d chunks, want 200 and 80", status, n)
		}
	})

	t.Run("file reply", func(t *testing.T) {
		if status, body := get(t, base+"/file"); status != 200 || body != "file reply\n" {
			t.Errorf("GET /file: %d %q", status, body)
		}
	})

	t.Run("empty reply", func(t *testing.T) {
		if status, body := get(t, base+"/empty"); status != 204 || body != "" {
			t.Errorf("GET /empty: %d %q", status, body)
		}
	})

	t.Run("tunnelled websocket", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, err := dialWebSocket(ctx, ws.Dialer{}, "ws"+strings.TrimPrefix(base, "http")+"/ws")
		if err != nil {
			t.Fatalf("dial /ws through the tunnel: %v", err)
		}
		defer conn.Close()
		for _, msg := range []string{"first", "second message", strings.Repeat("x", 70000)} {
			if err := wsutil.WriteClientText(conn, []byte(msg)); err != nil {
				t.Fatal(err)
			}
			got, err := wsutil.ReadServerText(conn)
			if err != nil || string(got) != msg {
				t.Fatalf("echo of %d bytes: %d bytes, %v", len(msg), len(got), err)
			}
		}
	})

	t.Run("504 and recycling", func(t *testing.T) {
		_, before := get(t, base+"/pid")
		began := time.Now()
		status, _ := get(t, base+"/sleep?ms=10000")
		if status != http.StatusGatewayTimeout {
			t.Fatalf("a request past request_timeout: status %d, want 504", status)
		}
		if took := time.Since(began); took > 5*time.Second {
			t.Errorf("the 504 came after %s, request_timeout is 1s", took)
		}
		v.waitFor(t, "Restarting the bay: its only process is stuck on a request", 5*time.Second)
		deadline := time.Now().Add(15 * time.Second)
		for {
			if status, after := getQuiet(base + "/pid"); status == 200 && after != before {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the stuck worker (pid %s) was not replaced", before)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// dialWebSocket dials url; the connection it returns reads first what
// arrived with the handshake's answer (a bay's welcome may).
func dialWebSocket(ctx context.Context, d ws.Dialer, url string) (net.Conn, error) {
	conn, br, _, err := d.Dial(ctx, url)
	if err != nil || br == nil {
		return conn, err
	}
	return &readFirst{Conn: conn, r: br}, nil
}

// readFirst is a connection whose reads go through r.
type readFirst struct {
	net.Conn
	r io.Reader
}

func (c *readFirst) Read(p []byte) (int, error) { return c.r.Read(p) }

// getQuiet is get without failing the test: for polling while a bay
// restarts.
func getQuiet(url string) (int, string) {
	res, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestHTTPBayPhasedRestartLosesNoRequest(t *testing.T) {
	t.Parallel()
	v, base := startBays(t, httpBayManifest)
	_, before := get(t, base+"/pid")

	var ok, failed atomic.Int64
	var failures sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c := &http.Client{Timeout: 10 * time.Second}
			path := "/hello"
			if i%2 == 0 {
				path = "/sleep?ms=30"
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := c.Get(base + path)
				if err != nil {
					failed.Add(1)
					failures.Store(err.Error(), true)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
					failures.Store(fmt.Sprintf("status %d", res.StatusCode), true)
					continue
				}
				ok.Add(1)
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	if err := v.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	v.waitFor(t, "Phased restart complete", 20*time.Second)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() > 0 {
		var why []string
		failures.Range(func(k, _ any) bool { why = append(why, k.(string)); return true })
		t.Errorf("%d of %d requests failed during the phased restart: %s", failed.Load(), failed.Load()+ok.Load(), strings.Join(why, "; "))
	}
	if ok.Load() < 50 {
		t.Errorf("only %d requests went through: the load did not run", ok.Load())
	}
	if _, after := get(t, base+"/pid"); after == before {
		t.Errorf("the bay is still pid %s after the phased restart", before)
	}
}

const webSocketBayManifest = `
[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[bays.websocket]]
name = "cable"
command = "BAYD"
config = { role = "cable", ping_interval = 3 }
routes = [{ pattern = "/cable" }]
`

// TestWebSocketBayCarriesThousandsOfClients: 2,000 clients at once over the
// bay's one link, each sending its own messages; every client gets exactly
// its own back, in order.
func TestWebSocketBayCarriesThousandsOfClients(t *testing.T) {
	t.Parallel()
	_, base := startBays(t, webSocketBayManifest)
	url := "ws" + strings.TrimPrefix(base, "http") + "/cable?room=1"
	const clients, messages = 2000, 5
	conns := make([]net.Conn, clients)
	dialer := ws.Dialer{Timeout: 10 * time.Second}
	var dialed sync.WaitGroup
	errs := make(chan error, clients)
	sem := make(chan struct{}, 64) // the listen backlog is finite
	for i := range clients {
		dialed.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			conn, err := dialWebSocket(context.Background(), dialer, url)
			if err != nil {
				errs <- fmt.Errorf("client %d: dial: %w", i, err)
				return
			}
			conns[i] = conn
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			var w struct {
				Type string
				Path string
			}
			msg, err := wsutil.ReadServerText(conn)
			if err == nil {
				err = json.Unmarshal(msg, &w)
			}
			if err != nil || w.Type != "welcome" || w.Path != "/cable?room=1" {
				errs <- fmt.Errorf("client %d: welcome %q, %v", i, msg, err)
			}
		})
	}
	dialed.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	var talked sync.WaitGroup
	for i, conn := range conns {
		talked.Go(func() {
			conn.SetDeadline(time.Now().Add(60 * time.Second))
			for j := range messages {
				if err := wsutil.WriteClientText(conn, fmt.Appendf(nil, "client %d message %d", i, j)); err != nil {
					errs <- fmt.Errorf("client %d: send %d: %w", i, j, err)
					return
				}
			}
			for j := range messages {
				msg, err := wsutil.ReadServerText(conn)
				if want := fmt.Sprintf("client %d message %d", i, j); err != nil || string(msg) != want {
					errs <- fmt.Errorf("client %d: echo %d: %q, %v; want %q", i, j, msg, err, want)
					return
				}
			}
		})
	}
	talked.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 5 {
		t.Errorf("... %d clients failed in all", n)
	}
}

// boardCable connects a client to the WebSocket bay at base and reads its
// welcome.
func boardCable(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := dialWebSocket(context.Background(), ws.Dialer{}, "ws"+strings.TrimPrefix(base, "http")+"/cable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := wsutil.ReadServerText(conn); err != nil {
		t.Fatalf("welcome: %v", err)
	}
	return conn
}

// TestWebSocketBayClosesAClientWithItsCode: the bay's Disembark closes the
// client with the bay's code and reason.
func TestWebSocketBayClosesAClientWithItsCode(t *testing.T) {
	_, base := startBays(t, webSocketBayManifest)
	conn := boardCable(t, base)
	// Pings are answered by the proxy, with the ping's payload.
	if err := ws.WriteFrame(conn, ws.MaskFrame(ws.NewPingFrame([]byte("are you there")))); err != nil {
		t.Fatal(err)
	}
	if f, err := ws.ReadFrame(conn); err != nil || f.Header.OpCode != ws.OpPong || string(f.Payload) != "are you there" {
		t.Fatalf("ping: got opcode %v %q, %v; want a pong with the payload", f.Header.OpCode, f.Payload, err)
	}
	if err := wsutil.WriteClientText(conn, []byte("close")); err != nil {
		t.Fatal(err)
	}
	_, err := wsutil.ReadServerText(conn)
	var closed wsutil.ClosedError
	if !errors.As(err, &closed) || closed.Code != 4000 || closed.Reason != "bye" {
		t.Errorf("after \"close\": %v, want a close frame 4000 \"bye\"", err)
	}
	if status, _ := getQuiet(base + "/cable"); status != http.StatusUpgradeRequired {
		t.Errorf("a plain GET to the WebSocket bay: status %d, want 426", status)
	}
}

// TestWebSocketBayEchoKeepsTheFrameType: what a client sends as binary
// comes back from the bay's echo as binary, whatever its bytes, and text
// as text; a fragmented binary message is one message.
func TestWebSocketBayEchoKeepsTheFrameType(t *testing.T) {
	_, base := startBays(t, webSocketBayManifest)
	conn := boardCable(t, base)
	for _, tc := range []struct {
		name   string
		frames []ws.Frame
		op     ws.OpCode
		want   string
	}{
		{"binary, not UTF-8", []ws.Frame{ws.NewBinaryFrame([]byte{0x00, 0xff, 0xfe})}, ws.OpBinary, "\x00\xff\xfe"},
		{"binary that is valid UTF-8", []ws.Frame{ws.NewBinaryFrame([]byte("plain bytes"))}, ws.OpBinary, "plain bytes"},
		{"text", []ws.Frame{ws.NewTextFrame([]byte("some text"))}, ws.OpText, "some text"},
		{"binary in two fragments", []ws.Frame{ws.NewFrame(ws.OpBinary, false, []byte("frag")), ws.NewFrame(ws.OpContinuation, true, []byte("ment"))}, ws.OpBinary, "fragment"},
	} {
		for _, f := range tc.frames {
			if err := ws.WriteFrame(conn, ws.MaskFrame(f)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		got, op, err := wsutil.ReadServerData(conn)
		if err != nil || op != tc.op || string(got) != tc.want {
			t.Errorf("%s: echo %q with opcode %v, %v; want %q with %v", tc.name, got, op, err, tc.want, tc.op)
		}
	}
}

// TestDockingUpstreamAttachesToARunningBay: a bay the mothership did not
// launch, reached through an upstream with protocol = "docking".
func TestDockingUpstreamAttachesToARunningBay(t *testing.T) {
	bin, err := builtBinaries()
	if err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(shortSocketDir(t), "outside.sock")
	bay := exec.Command(filepath.Join(bin, "bayd"))
	bay.Env = append(os.Environ(), "MS_SHIP=outside", "MS_SOCKET_PATH="+socket, "MS_BAY_TYPE=http", "MS_BAY_THREADS=2")
	if err := bay.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		bay.Process.Signal(syscall.SIGTERM)
		bay.Wait()
	})
	_, base := startBays(t, `
[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[mothership.upstreams]]
name = "outside"
protocol = "docking"
binds = ["unix://`+socket+`"]
routes = ["/*"]
`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body := getQuiet(base + "/hello")
		if status == 200 && body == "hello from outside" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /hello through the docking upstream: %d %q", status, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestWebSocketBayClientsGetACloseFrameOnShutdown: a mothership that is
// told to stop sends its WebSocket bay's clients 1001 (going away), not a
// cut connection.
func TestWebSocketBayClientsGetACloseFrameOnShutdown(t *testing.T) {
	v, base := startBays(t, webSocketBayManifest)
	conn := boardCable(t, base)
	v.land()
	_, err := wsutil.ReadServerText(conn)
	var closed wsutil.ClosedError
	if !errors.As(err, &closed) || closed.Code != ws.StatusGoingAway {
		t.Errorf("on shutdown: %v, want a close frame 1001", err)
	}
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
}

// TestBaySocketsGoToAPrivateDirectoryOfTheManifest: without MS_SOCKET_DIR
// and $XDG_RUNTIME_DIR, the sockets go to a 0700 directory named for the
// user and the manifest in the temporary directory, which a file called
// mothership does not block; one planted at that name as a symbolic link
// is refused, not followed.
func TestBaySocketsGoToAPrivateDirectoryOfTheManifest(t *testing.T) {
	t.Parallel()
	tmp := shortSocketDir(t)
	writeFile(t, filepath.Join(tmp, "mothership"), "in the way of the old fixed directory")
	env := []string{"MS_SOCKET_DIR=", "XDG_RUNTIME_DIR=", "TMPDIR=" + tmp}
	dir := t.TempDir()
	port := freePort(t)
	writeManifest(t, dir, strings.ReplaceAll(httpBayManifest, "HTTPPORT", fmt.Sprint(port)))
	v := startRunIn(t, dir, env)
	v.waitFor(t, "phase=Running", 20*time.Second)
	if status, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/hello", port)); status != 200 || body != "hello from rack" {
		t.Errorf("GET /hello: %d %q", status, body)
	}
	h := fnv.New32a()
	h.Write([]byte(filepath.Join(dir, "ship-manifest.toml")))
	sockets := filepath.Join(tmp, fmt.Sprintf("mothership-%d-%08x", os.Getuid(), h.Sum32()))
	if fi, err := os.Lstat(sockets); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("the socket directory %s: %v, %v; want a directory with mode 0700", sockets, fi, err)
	}
	if _, err := os.Stat(filepath.Join(sockets, "rack.sock")); err != nil {
		t.Errorf("the bay's socket is not in %s: %v", sockets, err)
	}
	v.land()
	v.exit(t, 20*time.Second)

	os.RemoveAll(sockets)
	elsewhere := t.TempDir()
	if err := os.Symlink(elsewhere, sockets); err != nil {
		t.Fatal(err)
	}
	v = startRunIn(t, dir, env)
	if code := v.exit(t, 20*time.Second); code == 0 {
		t.Errorf("exit 0 with a symbolic link planted as the socket directory")
	}
	if out := v.output(); !strings.Contains(out, sockets+" is a symbolic link, which mothership does not follow") {
		t.Errorf("the refusal does not name the planted link:\n%s", out)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Errorf("a socket was made where the link points: %v", entries)
	}
}

// TestSlowRequestsDoNotCrashASingleProcessBay: each request past
// request_timeout gets 504 and restarts a bay that serves from one process;
// five of them in a row are five restarts, not five crashes, so its
// circuit stays closed and the fleet keeps running.
func TestSlowRequestsDoNotCrashASingleProcessBay(t *testing.T) {
	t.Parallel()
	v, base := startBays(t, strings.Replace(httpBayManifest, `request_timeout = "1s"`, `request_timeout = "300ms"`, 1))
	for i := range 5 {
		_, before := get(t, base+"/pid")
		if status, _ := get(t, base+"/sleep?ms=3000"); status != http.StatusGatewayTimeout {
			t.Fatalf("slow request %d: status %d, want 504", i+1, status)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			if status, after := getQuiet(base + "/pid"); status == 200 && after != before {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("slow request %d: the stuck bay (pid %s) was not replaced", i+1, before)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The fifth generation answered, so its lines were written; wait for
	// them to be read, or the count below races the reader.
	v.waitFor(t, "next generation docked; draining the old one process=rack generation=5", 5*time.Second)
	out := v.output()
	if n := strings.Count(out, "Restarting the bay: its only process is stuck on a request"); n != 5 {
		t.Errorf("%d restarts logged, want 5", n)
	}
	for _, bad := range []string{"WRN crashed process=rack", "circuit open", "Draining"} {
		if strings.Contains(out, bad) {
			t.Errorf("five slow requests led to %q", bad)
		}
	}
	if status, body := get(t, base+"/hello"); status != 200 || body != "hello from rack" {
		t.Errorf("GET /hello after the restarts: %d %q", status, body)
	}
	v.land()
	if code := v.exit(t, 20*time.Second); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// TestWebSocketBayKeepsEachMessagesOpcode: through a WebSocket bay, a
// binary message comes back binary and a text one text, in both
// directions, a fragmented message arrives whole, and frames RFC 6455
// forbids close the client with the code it names.
func TestWebSocketBayKeepsEachMessagesOpcode(t *testing.T) {
	_, base := startBays(t, webSocketBayManifest)
	conn := boardCable(t, base)
	binary := []byte{0x00, 0xff, 0xfe, 'b', 'i', 'n'}
	for _, tc := range []struct {
		name   string
		frames []ws.Frame
		op     ws.OpCode
		want   []byte
	}{
		{"binary", []ws.Frame{ws.NewBinaryFrame(binary)}, ws.OpBinary, binary},
		{"binary that is ASCII", []ws.Frame{ws.NewBinaryFrame([]byte("ascii"))}, ws.OpBinary, []byte("ascii")},
		{"text", []ws.Frame{ws.NewTextFrame([]byte("hello"))}, ws.OpText, []byte("hello")},
		{"fragmented binary", []ws.Frame{
			ws.NewFrame(ws.OpBinary, false, binary[:2]),
			ws.NewPingFrame([]byte("between")), // control frames may come between fragments
			ws.NewFrame(ws.OpContinuation, true, binary[2:]),
		}, ws.OpBinary, binary},
	} {
		for _, f := range tc.frames {
			if err := ws.WriteFrame(conn, ws.MaskFrame(f)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		f, err := ws.ReadFrame(conn)
		if err == nil && f.Header.OpCode == ws.OpPong {
			f, err = ws.ReadFrame(conn)
		}
		if err != nil || f.Header.OpCode != tc.op || !bytes.Equal(f.Payload, tc.want) {
			t.Errorf("%s: the echo is opcode %v %q (%v), want %v %q", tc.name, f.Header.OpCode, f.Payload, err, tc.op, tc.want)
		}
	}
	for _, tc := range []struct {
		name  string
		frame ws.Frame
		code  ws.StatusCode
	}{
		{"text that is not UTF-8", ws.NewTextFrame([]byte{0xff, 0xfe}), ws.StatusInvalidFramePayloadData},
		{"a continuation with no message", ws.NewFrame(ws.OpContinuation, true, []byte("x")), ws.StatusProtocolError},
		{"a fragmented ping", ws.NewFrame(ws.OpPing, false, nil), ws.StatusProtocolError},
	} {
		conn := boardCable(t, base)
		if err := ws.WriteFrame(conn, ws.MaskFrame(tc.frame)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		f, err := ws.ReadFrame(conn)
		code, _ := ws.ParseCloseFrameData(f.Payload)
		if err != nil || f.Header.OpCode != ws.OpClose || code != tc.code {
			t.Errorf("%s: got opcode %v code %d (%v), want a close frame %d", tc.name, f.Header.OpCode, code, err, tc.code)
		}
	}
}
