package docking

import (
	"bytes"
	"io"
	"testing"
)

// loopReader replays the same bytes forever, without allocating, so that
// a Reader can be measured in its steady state.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

// requestParams is a typical request head as the proxy sends it.
var requestParams = []Pair{
	pair("REQUEST_METHOD", "GET"), pair("SCRIPT_NAME", ""), pair("PATH_INFO", "/api/items/42"),
	pair("QUERY_STRING", "page=2&sort=name"), pair("SERVER_NAME", "example.com"), pair("SERVER_PORT", "443"),
	pair("SERVER_PROTOCOL", "HTTP/1.1"), pair("HTTPS", "on"), pair("REMOTE_ADDR", "203.0.113.9"),
	pair("SERVER_SOFTWARE", "mothership/0.1"), pair("HTTP_HOST", "example.com"),
	pair("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"),
	pair("HTTP_ACCEPT", "application/json"), pair("HTTP_ACCEPT_ENCODING", "gzip, br"),
	pair("HTTP_X_REQUEST_ID", "0f8fad5b-d9cb-469f-a165-70867728950e"), pair("HTTP_X_REQUEST_START", "t=1700000000000000"),
}

var responseHeaders = []Pair{
	pair("content-type", "application/json; charset=utf-8"), pair("cache-control", "no-store"),
	pair("set-cookie", "session=abc; Path=/; HttpOnly"), pair("set-cookie", "theme=dark; Path=/"),
	pair("x-runtime", "0.004211"),
}

// steadyCase is one frame of the steady path: how it is written, and how
// it is decoded into memory that is reused.
type steadyCase struct {
	name   string
	write  func(*Writer) error
	decode func([]byte) error
}

func steadyCases() []steadyCase {
	body := []byte(`{"id":42,"name":"widget","price":"9.99"}`)
	message := []byte(`{"identifier":"{\"channel\":\"ChatChannel\"}","message":{"text":"hi"}}`)
	reply := &Reply{RequestID: 1, Status: 200, Kind: ReplyStream, Headers: responseHeaders}
	var hb HailBuilder
	frame := make([]byte, 0, 512)
	var (
		hail  Hail
		haul  Haul
		back  Reply
		ready Ready
		cargo Cargo
	)
	return []steadyCase{
		{"Hail", func(w *Writer) error { return w.WriteHail(1, uint64(len(body)), requestParams...) }, hail.Decode},
		{"HailBuilder", func(w *Writer) error {
			hb.Start(frame[:0], 1, 0)
			hb.Param("REQUEST_METHOD", "GET")
			hb.Param("PATH_INFO", "/api/items/42")
			hb.HeaderParam("User-Agent", "Mozilla/5.0")
			hb.HeaderParam("X-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e")
			var err error
			if frame, err = hb.Finish(); err != nil {
				return err
			}
			return w.WriteEncoded(frame)
		}, hail.Decode},
		{"Haul", func(w *Writer) error { return w.WriteHaul(1, true, body) }, haul.Decode},
		{"Reply", func(w *Writer) error { return w.WriteReply(reply) }, back.Decode},
		{"Ready", func(w *Writer) error { return w.WriteReady(1) }, ready.Decode},
		{"Cargo", func(w *Writer) error { return w.WriteCargo(1, message) }, cargo.Decode},
	}
}

// replay returns a Reader that reads the frame c writes, over and over.
func (c steadyCase) replay(t testing.TB) *Reader {
	var out bytes.Buffer
	w := NewWriter(&out)
	if err := c.write(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return NewReader(&loopReader{data: out.Bytes()})
}

// read reads the next frame of r and decodes it.
func (c steadyCase) read(r *Reader) error {
	f, err := r.Next()
	if err != nil {
		return err
	}
	return c.decode(f.Payload)
}

// TestNoAllocations guards the steady path: once their buffers are warm,
// writing and reading the frames of requests, responses and WebSocket
// messages cost no allocation.
func TestNoAllocations(t *testing.T) {
	w := NewWriter(io.Discard)
	for _, c := range steadyCases() {
		if n := testing.AllocsPerRun(100, func() {
			if err := c.write(w); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("writing a %s: %v allocations", c.name, n)
		}
		r := c.replay(t)
		if n := testing.AllocsPerRun(100, func() {
			if err := c.read(r); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("reading a %s: %v allocations", c.name, n)
		}
	}
	if n := testing.AllocsPerRun(10, func() { w.Flush() }); n != 0 {
		t.Errorf("Flush: %v allocations", n)
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range steadyCases() {
		b.Run(c.name, func(b *testing.B) {
			w := NewWriter(io.Discard)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.write(w); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, c := range steadyCases() {
		b.Run(c.name, func(b *testing.B) {
			r := c.replay(b)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.read(r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
