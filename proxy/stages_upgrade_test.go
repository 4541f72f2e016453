package proxy

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// wsAccept is the Sec-WebSocket-Accept answer to a key (RFC 6455 §4.2.2).
func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// writeFrame writes one final text frame with a short payload, masked as a
// client must.
func writeFrame(w io.Writer, payload []byte, mask bool) error {
	if len(payload) > 125 {
		return errors.New("test frames are short")
	}
	head := []byte{0x81, byte(len(payload))}
	body := append([]byte(nil), payload...)
	if mask {
		key := [4]byte{0x12, 0x34, 0x56, 0x78}
		head[1] |= 0x80
		head = append(head, key[:]...)
		for i := range body {
			body[i] ^= key[i%4]
		}
	}
	_, err := w.Write(append(head, body...))
	return err
}

// readFrame reads one short frame and unmasks it.
func readFrame(r io.Reader) ([]byte, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(head[1] & 0x7f)
	if n > 125 {
		return nil, fmt.Errorf("test frames are short, got length code %d", n)
	}
	var key [4]byte
	masked := head[1]&0x80 != 0
	if masked {
		if _, err := io.ReadFull(r, key[:]); err != nil {
			return nil, err
		}
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, err
	}
	if masked {
		for i := range p {
			p[i] ^= key[i%4]
		}
	}
	return p, nil
}

// wsEcho is a WebSocket backend that echoes one message. It reports
// nothing itself: the client's checks see what went wrong, and a test may
// cut the connection on purpose.
func wsEcho() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "want a WebSocket upgrade", http.StatusBadRequest)
			return
		}
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", wsAccept(r.Header.Get("Sec-WebSocket-Key")))
		if err := brw.Flush(); err != nil {
			return
		}
		msg, err := readFrame(brw)
		if err != nil {
			return
		}
		if err := writeFrame(conn, msg, false); err != nil {
			return
		}
		io.Copy(io.Discard, conn) // until the client closes
	}
}

func TestWebSocketPassThrough(t *testing.T) {
	backend := startBackend(t, wsEcho())
	p := startProxy(t, bindOnly+ship("ws", backendAddr(backend), `{ path_prefix = "/ws" }`))
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	fmt.Fprintf(conn, "GET /ws/chat HTTP/1.1\r\nHost: site.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", key)
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("handshake: status %d %q, want 101", res.StatusCode, body)
	}
	if got := res.Header.Get("Sec-WebSocket-Accept"); got != wsAccept(key) {
		t.Errorf("handshake: Sec-WebSocket-Accept %q, want %q", got, wsAccept(key))
	}
	if !strings.EqualFold(res.Header.Get("Upgrade"), "websocket") {
		t.Errorf("handshake: Upgrade %q did not reach the client", res.Header.Get("Upgrade"))
	}
	if err := writeFrame(conn, []byte("hello, fleet"), true); err != nil {
		t.Fatal(err)
	}
	msg, err := readFrame(br)
	if err != nil {
		t.Fatalf("echo: %v", err)
	}
	if string(msg) != "hello, fleet" {
		t.Errorf("echo: %q, want %q", msg, "hello, fleet")
	}
}

// TestShutdownClosesUpgraded checks that a WebSocket still open when the
// drain ends is closed by Shutdown, not left to its peers.
func TestShutdownClosesUpgraded(t *testing.T) {
	backend := startBackend(t, wsEcho())
	p := startProxy(t, bindOnly+ship("ws", backendAddr(backend), `{ path_prefix = "/ws" }`))
	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: a2V5\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != 101 {
		t.Fatalf("handshake: %v %v", res, err)
	}
	if err := shutdownNow(p); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		t.Errorf("upgraded connection still open after Shutdown: read gave %v", err)
	}
}
