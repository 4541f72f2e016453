package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// policyManifest routes to every kind of target: an upstream, a pool of
// two, a ship (whose bind the raw log holds), an HTTP bay and a WebSocket
// bay. LOGA and LOGB are the raw logs' addresses.
const policyManifest = `
[mothership.bind]
http = "127.0.0.1:HTTPPORT"

[[mothership.upstreams]]
name = "one"
binds = ["LOGA"]
routes = [{ path_prefix = "/one" }]

[[mothership.upstreams]]
name = "pool"
binds = ["LOGA", "LOGB"]
routes = [{ path_prefix = "/pool" }]

[[fleet.web]]
name = "ship"
command = "sleep"
args = ["600"]
bind = "LOGB"
routes = [{ path_prefix = "/ship" }]

[[bays.http]]
name = "rack"
command = "BAYD"
routes = [{ path_prefix = "/params" }]

[[bays.websocket]]
name = "cable"
command = "BAYD"
routes = [{ pattern = "/cable" }]
`

// forgedHead is what a client sends to pick the fields we own: forged
// forwarding fields and their underscore twins, a Connection that names
// ours, Proxy, and hop-by-hop fields. X-App is its own and goes on.
const forgedHead = "Host: app.test\r\n" +
	"X-Forwarded-For: 6.6.6.6\r\n" +
	"X_Forwarded_For: 7.7.7.7\r\n" +
	"X_Forwarded_Host: evil.test\r\n" +
	"X-Forwarded-Proto: https\r\n" +
	"X-JA4H: forged\r\n" +
	"X_Ja4h: forged\r\n" +
	"X_Request_Start: t=1\r\n" +
	"X-Request-Id: client-id\r\n" +
	"Proxy: http://evil.test:8080\r\n" +
	"X-Real-Ip: 6.6.6.6\r\n" +
	"Forwarded: for=6.6.6.6\r\n" +
	"Keep-Alive: timeout=5\r\n" +
	"X-Hop: for this hop\r\n" +
	"X-App: kept\r\n"

// forgedConnection names fields of ours, which must stay.
const forgedConnection = "X-Ja4h, X-Request-Id, X-Forwarded-For, X-Request-Start, X-Hop"

// received is what a target got, by CGI name (upper case, '_' for '-').
type received map[string][]string

func (r received) add(name, value string) {
	k := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	r[k] = append(r[k], value)
}

// TestEveryTargetGetsOnlyOurForwardingFields sends the same forged head to
// every kind of target through the real binary and checks, on each, what
// arrived: our X-Forwarded-*, X-JA4H, X-Request-Id and X-Request-Start
// once each, none of the client's forgeries or underscore twins, no Proxy
// and no hop-by-hop field, and the client's own field.
func TestEveryTargetGetsOnlyOurForwardingFields(t *testing.T) {
	a, b := startRawLog(t), startRawLog(t)
	manifest := strings.NewReplacer("LOGA", a.ln.Addr().String(), "LOGB", b.ln.Addr().String()).Replace(policyManifest)
	_, base := startBays(t, manifest)
	addr := strings.TrimPrefix(base, "http://")
	logs := []*rawLog{a, b}
	fromLog := func(t *testing.T, path string) received {
		status, _ := rawExchange(t, addr, "GET "+path+" HTTP/1.1\r\n"+forgedHead+"Connection: "+forgedConnection+"\r\n\r\n")
		if status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		got := ""
		for _, l := range logs {
			got += l.take()
		}
		return headOf(t, got)
	}
	cases := []struct {
		name  string
		fetch func(t *testing.T) received
	}{
		{"upstream", func(t *testing.T) received { return fromLog(t, "/one") }},
		{"pool", func(t *testing.T) received { return fromLog(t, "/pool") }},
		{"ship", func(t *testing.T) received { return fromLog(t, "/ship") }},
		{"HTTP bay", func(t *testing.T) received {
			status, body := rawExchange(t, addr, "GET /params HTTP/1.1\r\n"+forgedHead+"Connection: "+forgedConnection+"\r\n\r\n")
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			r := received{}
			for line := range strings.Lines(body) {
				name, value, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "=")
				if n, ok := strings.CutPrefix(name, "HTTP_"); ok {
					r.add(n, value)
				}
			}
			return r
		}},
		{"WebSocket bay", func(t *testing.T) received { return boardingHeaders(t, addr) }},
	}
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tc := range cases {
		got := tc.fetch(t)
		one := func(name string) string {
			if len(got[name]) != 1 {
				t.Errorf("%s: %s %q, want one of ours", tc.name, name, got[name])
				return ""
			}
			return got[name][0]
		}
		if v := one("X_FORWARDED_FOR"); v != "" && v != "127.0.0.1" {
			t.Errorf("%s: X-Forwarded-For %q, want 127.0.0.1", tc.name, v)
		}
		if v := one("X_FORWARDED_HOST"); v != "" && v != "app.test" {
			t.Errorf("%s: X-Forwarded-Host %q, want app.test", tc.name, v)
		}
		if v := one("X_FORWARDED_PROTO"); v != "" && v != "http" {
			t.Errorf("%s: X-Forwarded-Proto %q, want http", tc.name, v)
		}
		if v := one("X_JA4H"); v == "forged" {
			t.Errorf("%s: X-JA4H is the client's", tc.name)
		}
		if v := one("X_REQUEST_ID"); v != "" && !hex16.MatchString(v) {
			t.Errorf("%s: X-Request-Id %q, want a new one", tc.name, v)
		}
		if v := one("X_REQUEST_START"); v != "" && (v == "t=1" || !strings.HasPrefix(v, "t=")) {
			t.Errorf("%s: X-Request-Start %q, want ours", tc.name, v)
		}
		for _, name := range []string{"PROXY", "X_REAL_IP", "FORWARDED", "KEEP_ALIVE", "X_HOP"} {
			if len(got[name]) > 0 {
				t.Errorf("%s: %s %q reached the target", tc.name, name, got[name])
			}
		}
		if v := got["X_APP"]; len(v) != 1 || v[0] != "kept" {
			t.Errorf("%s: X-App %q, want the client's", tc.name, v)
		}
	}
}

// rawExchange sends req on a new connection and reads one answer.
func rawExchange(t *testing.T, addr, req string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// headOf parses the one request head in what a raw log received.
func headOf(t *testing.T, got string) received {
	t.Helper()
	head, _, ok := strings.Cut(got, "\r\n\r\n")
	if !ok || strings.Count(got, " HTTP/1.1\r\n") != 1 {
		t.Fatalf("the backends got not one head:\n%s", got)
	}
	r := received{}
	for i, line := range strings.Split(head, "\r\n") {
		if i == 0 {
			continue
		}
		name, value, _ := strings.Cut(line, ": ")
		r.add(name, value)
	}
	return r
}

// boardingHeaders opens a WebSocket to the cable bay with the forged head
// and returns the Boarding headers the bay's welcome shows.
func boardingHeaders(t *testing.T, addr string) received {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /cable HTTP/1.1\r\n"+forgedHead+"Upgrade: websocket\r\nConnection: Upgrade, "+forgedConnection+"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 101 {
		t.Fatalf("handshake: %v, %v", res, err)
	}
	f, err := ws.ReadFrame(br)
	if err != nil {
		t.Fatalf("welcome: %v", err)
	}
	var w struct{ Headers map[string]string }
	if err := json.Unmarshal(f.Payload, &w); err != nil {
		t.Fatalf("welcome %q: %v", f.Payload, err)
	}
	r := received{}
	for name, value := range w.Headers {
		r.add(name, value)
	}
	return r
}

// TestLimitsStopARequestBeforeItsTarget: max_body_size and
// max_header_count on the bind, overridden on a route, answer 413 and 431
// before a ship or bay gets a byte; underscores_in_headers keeps X_App on
// the route that sets it, never the twin of a field of ours.
func TestLimitsStopARequestBeforeItsTarget(t *testing.T) {
	a, b := startRawLog(t), startRawLog(t)
	manifest := strings.NewReplacer(
		`http = "127.0.0.1:HTTPPORT"`, `http = { addr = "127.0.0.1:HTTPPORT", max_body_size = "1KiB", max_header_count = 20 }`,
		`routes = [{ path_prefix = "/pool" }]`, `routes = [{ path_prefix = "/pool", max_body_size = "1MiB", underscores_in_headers = true }]`,
		`routes = [{ path_prefix = "/params" }]`, `routes = [{ path_prefix = "/params", underscores_in_headers = true }]`,
		"LOGA", a.ln.Addr().String(), "LOGB", b.ln.Addr().String()).Replace(policyManifest)
	_, base := startBays(t, manifest)
	addr := strings.TrimPrefix(base, "http://")
	body := strings.Repeat("x", 2000)
	chunked := fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(body), body)
	sized := fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
	many := strings.Repeat("X-Many: 1\r\n", 20)
	cases := []struct {
		name, req string
		status    int
		reaches   bool // the raw logs get the request
	}{
		{"upstream, Content-Length over the bind's", "POST /one HTTP/1.1\r\nHost: x\r\n" + sized, 413, false},
		{"upstream, chunked over the bind's", "POST /one HTTP/1.1\r\nHost: x\r\n" + chunked, 413, false},
		{"HTTP bay, Content-Length over the bind's", "POST /params HTTP/1.1\r\nHost: x\r\n" + sized, 413, false},
		{"HTTP bay, chunked over the bind's", "POST /params HTTP/1.1\r\nHost: x\r\n" + chunked, 413, false},
		{"route that allows more", "POST /pool HTTP/1.1\r\nHost: x\r\n" + sized, 200, true},
		{"too many fields", "GET /one HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431, false},
		{"as many fields as allowed", "GET /one HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Many: 1\r\n", 19) + "\r\n", 200, true},
	}
	for _, tc := range cases {
		status, _ := rawExchange(t, addr, tc.req)
		got := a.take() + b.take()
		if status != tc.status || (got != "") != tc.reaches {
			t.Errorf("%s: status %d, the target got %d bytes; want %d and reached %v", tc.name, status, len(got), tc.status, tc.reaches)
		}
	}
	// Chunked past request_buffer (64 KiB) and past the route's 1 MiB: the
	// upstream got part of the body, never its end, and the client 413.
	big := strings.Repeat("y", 1<<20+1)
	status, _ := rawExchange(t, addr, fmt.Sprintf("POST /pool HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(big), big))
	got := ""
	for quiet := 0; quiet < 5; {
		// The cut body's bytes may still be on their way to the log.
		time.Sleep(50 * time.Millisecond)
		more := a.take() + b.take()
		if more == "" {
			quiet++
		}
		got += more
	}
	if status != 413 || strings.HasSuffix(got, "0\r\n\r\n") {
		t.Errorf("streamed body over max_body_size: status %d, the upstream got %d bytes ending %q; want 413 and no whole body", status, len(got), got[max(0, len(got)-8):])
	}
	status, _ = rawExchange(t, addr, "GET /pool HTTP/1.1\r\nHost: x\r\nX_App: kept\r\nX_Forwarded_For: 7.7.7.7\r\n\r\n")
	head := headOf(t, a.take()+b.take())
	if status != 200 || len(head["X_APP"]) != 1 || len(head["X_FORWARDED_FOR"]) != 1 || head["X_FORWARDED_FOR"][0] != "127.0.0.1" {
		t.Errorf("underscores_in_headers: status %d, X_App %q, X-Forwarded-For %q; want the client's X_App and our X-Forwarded-For only", status, head["X_APP"], head["X_FORWARDED_FOR"])
	}
	// A bay that keeps underscores still gets one param for one CGI name.
	status, params := rawExchange(t, addr, "GET /params HTTP/1.1\r\nHost: x\r\nX-Foo: a\r\nX_Foo: b\r\nX_Forwarded_For: 7.7.7.7\r\n\r\n")
	if n, ff := strings.Count(params, "HTTP_X_FOO="), strings.Count(params, "HTTP_X_FORWARDED_FOR="); status != 200 || n != 1 || !strings.Contains(params, "HTTP_X_FOO=a, b\n") || ff != 1 || strings.Contains(params, "7.7.7.7") {
		t.Errorf("bay with underscores_in_headers: status %d, params:\n%s\nwant one HTTP_X_FOO=a, b and our X-Forwarded-For alone", status, params)
	}
}

// TestProxyProtocolIsBelievedOnlyFromTrustedSenders: a PROXY header from
// a peer outside trusted closes the connection (refuse) or is dropped
// (ignore); from a trusted peer its source is the client.
func TestProxyProtocolIsBelievedOnlyFromTrustedSenders(t *testing.T) {
	be := startRawLog(t)
	ports := []int{freePort(t), freePort(t), freePort(t)}
	v := startRun(t, fmt.Sprintf(`[mothership.bind]
refuse = { addr = "127.0.0.1:%d", proxy_protocol = { trusted = ["10.0.0.0/8"] } }
ignore = { addr = "127.0.0.1:%d", proxy_protocol = { trusted = ["10.0.0.0/8"], untrusted = "ignore" } }
trust = { addr = "127.0.0.1:%d", proxy_protocol = { trusted = ["127.0.0.1"] } }

[[mothership.upstreams]]
name = "log"
binds = [%q]
routes = [{ path_prefix = "/", bind = "refuse" }, { path_prefix = "/", bind = "ignore" }, { path_prefix = "/", bind = "trust" }]
`, ports[0], ports[1], ports[2], be.ln.Addr().String()))
	v.waitFor(t, "phase=Running", 20*time.Second)
	const header = "PROXY TCP4 198.51.100.9 127.0.0.1 5555 80\r\n"
	const req = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	cases := []struct {
		name, sent string
		port       int
		wantFor    string // "" when the connection is closed unanswered
	}{
		{"untrusted peer, refuse", header + req, ports[0], ""},
		{"untrusted peer, plain connection", req, ports[0], "127.0.0.1"},
		{"untrusted peer, ignore", header + req, ports[1], "127.0.0.1"},
		{"trusted peer", header + req, ports[2], "198.51.100.9"},
	}
	for _, tc := range cases {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", tc.port))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, tc.sent)
		answer, _ := io.ReadAll(io.LimitReader(c, 1)) // the status line's first byte, or the close
		c.Close()
		got := be.take()
		if tc.wantFor == "" {
			if len(answer) != 0 || got != "" {
				t.Errorf("%s: got %q and the backend %d bytes; want the connection closed, nothing forwarded", tc.name, answer, len(got))
			}
			continue
		}
		// The backend may see the head a moment after the client's answer.
		for i := 0; got == "" && i < 50; i++ {
			time.Sleep(20 * time.Millisecond)
			got = be.take()
		}
		if ff := headOf(t, got)["X_FORWARDED_FOR"]; len(ff) != 1 || ff[0] != tc.wantFor {
			t.Errorf("%s: X-Forwarded-For %q, want %q", tc.name, ff, tc.wantFor)
		}
	}
}

// TestStaticFilesRefuseDotfilesAndRangeFloods: .env and .git/ are not
// served unless serve_dotfiles is set, .well-known/ is; 5000 one-byte
// ranges get the whole file, overlapping ranges one part.
func TestStaticFilesRefuseDotfilesAndRangeFloods(t *testing.T) {
	dir := t.TempDir()
	port, port2 := freePort(t), freePort(t)
	writeManifest(t, dir, fmt.Sprintf(`[mothership.bind]
http = "127.0.0.1:%d"
open = "127.0.0.1:%d"

[[mothership.static_dirs]]
path = "site"
bind = "http"

[[mothership.static_dirs]]
path = "site"
bind = "open"
serve_dotfiles = true
`, port, port2))
	page := strings.Repeat("0123456789", 1024)
	for name, content := range map[string]string{"site/.env": "SECRET=1", "site/.git/config": "[core]", "site/a/.htpasswd": "u:p", "site/.well-known/security.txt": "Contact: x", "site/page.txt": page} {
		writeFile(t, dir+"/"+name, content)
	}
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)
	addr, open := fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", port2)
	for _, tc := range []struct {
		name, addr, path string
		status           int
	}{
		{".env", addr, "/.env", 404},
		{".git/config", addr, "/.git/config", 404},
		{"a/.htpasswd", addr, "/a/.htpasswd", 404},
		{"encoded .env", addr, "/%2eenv", 404},
		{".well-known", addr, "/.well-known/security.txt", 200},
		{".env with serve_dotfiles", open, "/.env", 200},
	} {
		if status, _ := rawExchange(t, tc.addr, "GET "+tc.path+" HTTP/1.1\r\nHost: x\r\n\r\n"); status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, status, tc.status)
		}
	}
	flood := "bytes=0-0"
	for i := 1; i < 5000; i++ {
		flood += fmt.Sprintf(",%d-%d", i, i)
	}
	for _, tc := range []struct {
		name, spec string
		status     int
		length     int
	}{
		{"5000 one-byte ranges", flood, 200, len(page)},
		{"overlapping ranges", "bytes=0-99,50-149", 206, 150},
	} {
		// The flood's Range field is about 44 KB, under the 64 KiB head limit.
		status, body := rawExchange(t, addr, "GET /page.txt HTTP/1.1\r\nHost: x\r\nRange: "+tc.spec+"\r\n\r\n")
		if status != tc.status || len(body) != tc.length {
			t.Errorf("%s: status %d with %d bytes, want %d with %d", tc.name, status, len(body), tc.status, tc.length)
		}
	}
}

// TestWebSocketBayRefusesBrokenFrames sends frames RFC 6455 forbids, as
// exact bytes, to a WebSocket bay: the client gets a close frame with the
// code the RFC names and nothing before it (no pong, no echo), and the bay
// is told the same code.
func TestWebSocketBayRefusesBrokenFrames(t *testing.T) {
	v, base := startBays(t, webSocketBayManifest)
	frame := func(fin bool, op ws.OpCode, payload []byte) []byte {
		var b strings.Builder
		mask := [4]byte{1, 2, 3, 4}
		ws.WriteHeader(&b, ws.Header{Fin: fin, OpCode: op, Masked: true, Mask: mask, Length: int64(len(payload))})
		masked := append([]byte(nil), payload...)
		ws.Cipher(masked, mask, 0)
		b.Write(masked)
		return []byte(b.String())
	}
	text := func(s string) []byte { return frame(true, ws.OpText, []byte(s)) }
	// headOnly is a frame's header alone, for a frame refused on its
	// header's length: the rest, written after the proxy closed, could
	// reset the connection before the close frame is read.
	headOnly := func(op ws.OpCode, n int64) []byte {
		var b strings.Builder
		ws.WriteHeader(&b, ws.Header{Fin: true, OpCode: op, Masked: true, Mask: [4]byte{1, 2, 3, 4}, Length: n})
		return []byte(b.String())
	}
	cases := []struct {
		name  string
		bytes []byte
		code  ws.StatusCode
	}{
		{"100 KB ping", headOnly(ws.OpPing, 100<<10), ws.StatusProtocolError},
		{"126-byte ping", frame(true, ws.OpPing, make([]byte, 126)), ws.StatusProtocolError},
		{"fragmented ping", frame(false, ws.OpPing, []byte("a")), ws.StatusProtocolError},
		{"stray continuation", frame(true, ws.OpContinuation, []byte("a")), ws.StatusProtocolError},
		{"new message inside a fragmented one", append(frame(false, ws.OpText, []byte("a")), text("b")...), ws.StatusProtocolError},
		{"invalid UTF-8 text", text("a\xff\xfeb"), ws.StatusInvalidFramePayloadData},
		{"invalid UTF-8 across fragments", append(frame(false, ws.OpText, []byte("a\xe2\x82")), frame(true, ws.OpContinuation, []byte("b"))...), ws.StatusInvalidFramePayloadData},
		{"one-byte close", frame(true, ws.OpClose, []byte{3}), ws.StatusProtocolError},
		{"close with code 1005", frame(true, ws.OpClose, []byte{0x03, 0xed}), ws.StatusProtocolError},
		{"close reason not UTF-8", frame(true, ws.OpClose, []byte{0x03, 0xe8, 0xff}), ws.StatusInvalidFramePayloadData},
		{"message over 1 MiB", headOnly(ws.OpBinary, 1<<20+1), ws.StatusMessageTooBig},
	}
	for _, tc := range cases {
		conn := boardCable(t, base)
		if _, err := conn.Write(tc.bytes); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		f, err := ws.ReadFrame(conn)
		if err != nil || f.Header.OpCode != ws.OpClose {
			t.Errorf("%s: got opcode %v, %v; want a close frame first", tc.name, f.Header.OpCode, err)
			continue
		}
		if code, _ := ws.ParseCloseFrameData(f.Payload); code != tc.code {
			t.Errorf("%s: close code %d, want %d", tc.name, code, tc.code)
		}
		conn.Close()
	}
	want := map[ws.StatusCode]int{}
	for _, tc := range cases {
		want[tc.code]++
	}
	deadline := time.Now().Add(5 * time.Second)
	for code, n := range want {
		re := regexp.MustCompile(fmt.Sprintf(`client left.*"code":%d\b`, code))
		for len(re.FindAllString(v.output(), -1)) < n {
			if time.Now().After(deadline) {
				t.Fatalf("the bay was told %d of %d closes with code %d:\n%s", len(re.FindAllString(v.output(), -1)), n, code, v.output())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
