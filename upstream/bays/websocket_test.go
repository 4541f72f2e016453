package bays

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

const sampleKey = "dGhlIHNhbXBsZSBub25jZQ==" // RFC 6455 §1.3

func TestHandshake(t *testing.T) {
	valid := []string{"Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", sampleKey, "Sec-WebSocket-Version", "13"}
	with := func(name, value string) []string {
		out := append([]string(nil), valid...)
		for i := 0; i < len(out); i += 2 {
			if out[i] == name {
				out[i+1] = value
				return out
			}
		}
		return append(out, name, value)
	}
	for _, tc := range []struct {
		name    string
		method  string
		minor   int
		fields  []string
		status  int
		version string // Sec-WebSocket-Version of a refusal
	}{
		{"valid", "GET", 1, valid, 0, ""},
		{"a plain GET", "GET", 1, nil, 426, ""},
		{"not GET", "POST", 1, valid, 405, ""},
		{"HTTP/1.0", "GET", 0, valid, 505, ""},
		{"key not base64", "GET", 1, with("Sec-WebSocket-Key", "not base64!"), 400, ""},
		{"key of 15 bytes", "GET", 1, with("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAA"), 400, ""},
		{"two keys", "GET", 1, append(append([]string(nil), valid...), "Sec-WebSocket-Key", sampleKey), 400, ""},
		{"no version", "GET", 1, valid[:6], 400, ""},
		{"version 8", "GET", 1, with("Sec-WebSocket-Version", "8"), 426, "13"},
	} {
		x, _ := newExchange(t, tc.method, "/cable", "", tc.fields...)
		x.ProtoMinor = tc.minor
		accept, refused := handshake(x)
		if tc.status == 0 {
			if refused != nil || accept != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
				t.Errorf("%s: accept %q, refused %v; want the RFC's accept value", tc.name, accept, refused)
			}
			continue
		}
		if refused == nil {
			t.Errorf("%s: accepted, want %d", tc.name, tc.status)
			continue
		}
		refused.write(x.Response)
		if got := x.Response.Status(); got != tc.status || x.Response.Header().Get("Sec-WebSocket-Version") != tc.version {
			t.Errorf("%s: %d with version %q, want %d with %q", tc.name, got, x.Response.Header().Get("Sec-WebSocket-Version"), tc.status, tc.version)
		}
	}
}

func TestCloseFrameFromABay(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes
	for _, tc := range []struct {
		name       string
		code       uint16
		reason     string
		wantCode   uint16
		wantReason string
	}{
		{"the bay's own code", 4000, "bye", 4000, "bye"},
		{"normal", 1000, "", 1000, ""},
		{"reserved 1005", 1005, "x", 1011, "x"},
		{"reserved 1006", 1006, "", 1011, ""},
		{"below 1000", 7, "", 1011, ""},
		{"past 4999", 5000, "", 1011, ""},
		{"a long reason", 4001, long, 4001, long[:122]},
	} {
		f := closeFrame(tc.code, tc.reason)
		code, reason := ws.ParseCloseFrameData(f.Payload)
		if uint16(code) != tc.wantCode || reason != tc.wantReason || len(f.Payload) > 125 {
			t.Errorf("%s: %d %q (%d bytes), want %d %q", tc.name, code, reason, len(f.Payload), tc.wantCode, tc.wantReason)
		}
	}
}

// echoBay docks a fake WebSocket bay that echoes each Cargo, answers
// "close" with Disembark 4000 "bye", and reports the Boardings and
// Disembarks it gets.
func echoBay(t *testing.T) (*passengers, <-chan docking.Boarding, <-chan docking.Disembark) {
	t.Helper()
	boarded := make(chan docking.Boarding, 10)
	left := make(chan docking.Disembark, 10)
	socket := serveBay(t, docking.Dock{Version: docking.VersionWebSocket, Ship: "cable"}, func(r *docking.Reader, w *docking.Writer) {
		for {
			f, err := r.Next()
			if err != nil {
				return
			}
			switch f.Type {
			case docking.TypeBoarding:
				var b docking.Boarding
				b.Decode(f.Payload)
				boarded <- b
			case docking.TypeCargo:
				var c docking.Cargo
				c.Decode(f.Payload)
				if string(c.Data) == "close" {
					w.WriteDisembark(docking.Disembark{ConnID: c.ConnID, Code: 4000, Reason: "bye"})
				} else {
					w.WriteCargo(c.ConnID, c.Data)
				}
				w.Flush()
			case docking.TypeDisembark:
				var d docking.Disembark
				d.Decode(f.Payload)
				left <- d
			}
		}
	})
	return &passengers{berth: dock(t, docking.VersionWebSocket, socket)}, boarded, left
}

// board runs a WebSocket bay stage for one client and returns the client's
// end of the connection once the handshake is answered and the connection
// taken over.
func board(t *testing.T, bay *passengers, target string) (net.Conn, *pipelinetest.Recorder, <-chan struct{}) {
	t.Helper()
	x, c := newExchange(t, "GET", target, "", "Host", "app.test", "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", sampleKey, "Sec-WebSocket-Version", "13", "Cookie", "a=1")
	done := make(chan struct{})
	go func() {
		(&webSocketBay{bay: bay}).Serve(x, nil)
		close(done)
	}()
	c.client.SetDeadline(time.Now().Add(5 * time.Second))
	select {
	case <-c.hijacked:
	case <-done:
	}
	return c.client, c.rec, done
}

// TestWebSocketBayKeepsEachFrameType: a binary message comes back binary
// whatever its bytes, a text one as text, fragments make one message,
// pings are answered with their payload, and close codes cross both ways.
func TestWebSocketBayKeepsEachFrameType(t *testing.T) {
	bay, boarded, left := echoBay(t)
	conn, rec, done := board(t, bay, "/cable?room=1")
	bd := <-boarded // Boarding comes before the 101
	if rec.Code != 101 || rec.Header().Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || rec.Header().Get("Upgrade") != "websocket" {
		t.Fatalf("handshake answer %d %v, want 101 with the accept value", rec.Code, rec.Header().Fields())
	}
	if bd.Path != "/cable?room=1" || bd.Headers["host"] != "app.test" || bd.Headers["cookie"] != "a=1" || bd.RemoteAddr != "203.0.113.9" {
		t.Errorf("Boarding %+v, want the path with its query, the headers and the client", bd)
	}
	for _, tc := range []struct {
		name string
		send []ws.Frame
		want ws.OpCode
		data string
	}{
		{"binary, not UTF-8", []ws.Frame{ws.NewBinaryFrame([]byte{0xff, 0x00, 0x80})}, ws.OpBinary, "\xff\x00\x80"},
		{"binary that is valid UTF-8", []ws.Frame{ws.NewBinaryFrame([]byte("hi"))}, ws.OpBinary, "hi"},
		{"text after binary", []ws.Frame{ws.NewTextFrame([]byte("hello"))}, ws.OpText, "hello"},
		{"fragmented binary with a ping inside", []ws.Frame{
			ws.NewFrame(ws.OpBinary, false, []byte("frag")),
			ws.NewPingFrame([]byte("are you there")),
			ws.NewFrame(ws.OpContinuation, true, []byte("ment")),
		}, ws.OpBinary, "fragment"},
	} {
		for _, f := range tc.send {
			if err := ws.WriteFrame(conn, ws.MaskFrame(f)); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
		}
		f, err := ws.ReadFrame(conn)
		if tc.name == "fragmented binary with a ping inside" {
			if err != nil || f.Header.OpCode != ws.OpPong || string(f.Payload) != "are you there" {
				t.Fatalf("%s: got %v %q, %v; want the pong first", tc.name, f.Header.OpCode, f.Payload, err)
			}
			f, err = ws.ReadFrame(conn)
		}
		if err != nil || f.Header.OpCode != tc.want || string(f.Payload) != tc.data {
			t.Errorf("%s: got opcode %v %q, %v; want %v %q", tc.name, f.Header.OpCode, f.Payload, err, tc.want, tc.data)
		}
	}
	if err := ws.WriteFrame(conn, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(4001, "done")))); err != nil {
		t.Fatal(err)
	}
	f, err := ws.ReadFrame(conn)
	if code, _ := ws.ParseCloseFrameData(f.Payload); err != nil || f.Header.OpCode != ws.OpClose || code != 4001 {
		t.Errorf("close answer %v code %d, %v; want a close frame 4001", f.Header.OpCode, code, err)
	}
	if d := <-left; d.Code != 4001 || d.Reason != "done" || d.ConnID != bd.ConnID {
		t.Errorf("Disembark %+v, want the client's 4001 \"done\"", d)
	}
	<-done
}

func TestWebSocketBayClosesClients(t *testing.T) {
	bay, boarded, left := echoBay(t)
	for _, tc := range []struct {
		name       string
		frame      ws.Frame
		masked     bool
		wantClient ws.StatusCode
		wantReason string
		wantBay    uint16
	}{
		{"the bay's Disembark", ws.NewTextFrame([]byte("close")), true, 4000, "bye", 0},
		{"an unmasked frame", ws.NewTextFrame([]byte("x")), false, ws.StatusProtocolError, "unmasked or reserved frame", 1002},
		{"text that is not UTF-8", ws.NewTextFrame([]byte{0xff}), true, ws.StatusInvalidFramePayloadData, "text message is not UTF-8", 1007},
		{"a continuation of nothing", ws.NewFrame(ws.OpContinuation, true, []byte("x")), true, ws.StatusProtocolError, "continuation of no message", 1002},
		{"a long ping", ws.Frame{Header: ws.Header{Fin: true, OpCode: ws.OpPing, Length: 126}, Payload: make([]byte, 126)}, true, ws.StatusProtocolError, "fragmented or long control frame", 1002},
	} {
		conn, _, done := board(t, bay, "/cable")
		<-boarded
		f := tc.frame
		if tc.masked {
			f = ws.MaskFrame(f)
		}
		if err := ws.WriteFrame(conn, f); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := ws.ReadFrame(conn)
		code, reason := ws.ParseCloseFrameData(got.Payload)
		if err != nil || got.Header.OpCode != ws.OpClose || code != tc.wantClient || reason != tc.wantReason {
			t.Errorf("%s: client got %v %d %q, %v; want a close frame %d %q", tc.name, got.Header.OpCode, code, reason, err, tc.wantClient, tc.wantReason)
		}
		if tc.wantBay != 0 {
			if d := <-left; d.Code != tc.wantBay {
				t.Errorf("%s: Disembark %+v, want code %d", tc.name, d, tc.wantBay)
			}
		}
		conn.Close()
		<-done
	}
}

func TestWebSocketBayUnloadSaysGoodbye(t *testing.T) {
	bay, boarded, _ := echoBay(t)
	conn, _, done := board(t, bay, "/cable")
	<-boarded
	unloaded := make(chan struct{})
	go func() {
		bay.unload(t.Context())
		close(unloaded)
	}()
	_, err := wsutil.ReadServerText(conn)
	var closed wsutil.ClosedError
	if !errorsAs(err, &closed) || closed.Code != ws.StatusGoingAway {
		t.Errorf("on unload: %v, want a close frame 1001", err)
	}
	ws.WriteFrame(conn, ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusGoingAway, ""))))
	<-done
	<-unloaded
}
