package engine

import (
	"bytes"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/mothership-go/mothership/h1"
)

// recordingConn is a connection that keeps what is written to it, so that
// the response writer can be timed and checked without a socket.
type recordingConn struct {
	net.Conn
	out bytes.Buffer
}

func (c *recordingConn) Write(p []byte) (int, error)      { return c.out.Write(p) }
func (c *recordingConn) SetWriteDeadline(time.Time) error { return nil }

// lengths are the Content-Length values of the bodies the tests write,
// made once: strconv would allocate in the measured loop.
var lengths = map[int]string{13: "13", 16 << 10: strconv.Itoa(16 << 10)}

// writeAnswer writes a small answer, with its length or chunked, as a
// stage writing to the engine does.
func writeAnswer(c *conn, req *h1.Request, length bool, body []byte) {
	c.rw.reset(req)
	h := c.rw.Header()
	h.Set("Content-Type", "text/plain")
	if length {
		h.Set("Content-Length", lengths[len(body)])
	}
	c.rw.WriteHeader(200)
	c.rw.Write(body)
	c.rw.finish()
	c.rw.flush()
}

// TestResponseWriterNoAllocations guards the writer: a head and a small
// body, with a Content-Length or chunked, cost no allocation.
func TestResponseWriterNoAllocations(t *testing.T) {
	rc := &recordingConn{}
	c := newConn(&Server{Bind: "http"}, rc)
	req := &h1.Request{Method: "GET", Minor: 1, KeepAlive: true}
	body := []byte("hello, world\n")
	for _, length := range []bool{true, false} {
		rc.out.Reset()
		writeAnswer(c, req, length, body)
		want := "Transfer-Encoding: chunked\r\n\r\nd\r\nhello, world\n\r\n0\r\n\r\n"
		if length {
			want = "Content-Length: 13\r\n"
		}
		if got := rc.out.String(); !bytes.HasPrefix(rc.out.Bytes(), []byte("HTTP/1.1 200 OK\r\n")) || !bytes.Contains(rc.out.Bytes(), []byte(want)) {
			t.Fatalf("length %v: wrote %q, want it to hold %q", length, got, want)
		}
		if a := testing.AllocsPerRun(1000, func() { rc.out.Reset(); writeAnswer(c, req, length, body) }); a != 0 {
			t.Errorf("length %v: %v allocations per answer, want 0", length, a)
		}
	}
	// A body larger than the buffer goes out with the head in one writev.
	big := bytes.Repeat([]byte("x"), 16<<10)
	for _, length := range []bool{true, false} {
		rc.out.Reset()
		writeAnswer(c, req, length, big)
		if !bytes.Contains(rc.out.Bytes(), big) || !bytes.HasPrefix(rc.out.Bytes(), []byte("HTTP/1.1 200 OK\r\n")) {
			t.Fatalf("length %v, 16 KiB: the answer is not the head then the body (%d bytes)", length, rc.out.Len())
		}
		if a := testing.AllocsPerRun(200, func() { rc.out.Reset(); writeAnswer(c, req, length, big) }); a != 0 {
			t.Errorf("length %v, 16 KiB: %v allocations per answer, want 0", length, a)
		}
	}
}

// BenchmarkResponseWriter times the engine's writer on a small answer,
// with a Content-Length and chunked.
func BenchmarkResponseWriter(b *testing.B) {
	for _, tc := range []struct {
		name   string
		length bool
	}{{"length", true}, {"chunked", false}} {
		b.Run(tc.name, func(b *testing.B) {
			rc := &recordingConn{}
			c := newConn(&Server{Bind: "http"}, rc)
			req := &h1.Request{Method: "GET", Minor: 1, KeepAlive: true}
			body := []byte("hello, world\n")
			b.ReportAllocs()
			for b.Loop() {
				rc.out.Reset()
				writeAnswer(c, req, tc.length, body)
			}
		})
	}
}
