package fuzz

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/mothership-go/mothership/engine/h2"
	"github.com/mothership-go/mothership/pipeline"
)

// h2Seeds are what a client sends after the preface: a GET, a POST with
// its body in two DATA frames, trailers, a reset, a ping and a window
// update, and a header block split into CONTINUATION frames.
func h2Seeds() [][]byte {
	var buf bytes.Buffer
	fr := http2.NewFramer(&buf, nil)
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	block := func(method string, extra ...string) []byte {
		hb.Reset()
		for _, f := range [][2]string{{":method", method}, {":scheme", "http"}, {":authority", "x"}, {":path", "/a?b"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		for i := 0; i+1 < len(extra); i += 2 {
			enc.WriteField(hpack.HeaderField{Name: extra[i], Value: extra[i+1]})
		}
		return bytes.Clone(hb.Bytes())
	}
	var seeds [][]byte
	seed := func(write func()) {
		buf.Reset()
		fr.WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 16})
		write()
		seeds = append(seeds, bytes.Clone(buf.Bytes()))
	}
	seed(func() {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block("GET", "user-agent", "curl/8"), EndStream: true, EndHeaders: true})
	})
	seed(func() {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block("POST", "content-length", "5"), EndHeaders: true})
		fr.WriteData(1, false, []byte("hel"))
		fr.WriteData(1, false, []byte("lo"))
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block("POST")[:0], EndStream: true, EndHeaders: true})
	})
	seed(func() {
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block("GET"), EndHeaders: true})
		fr.WriteRSTStream(3, http2.ErrCodeCancel)
		fr.WritePing(false, [8]byte{1, 2})
		fr.WriteWindowUpdate(0, 1<<20)
		fr.WriteGoAway(0, http2.ErrCodeNo, nil)
	})
	seed(func() {
		b := block("GET", "cookie", "a=1", "cookie", "b=2")
		fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 5, BlockFragment: b[:3], EndStream: true})
		fr.WriteContinuation(5, false, b[3:6])
		fr.WriteContinuation(5, true, b[6:])
	})
	return seeds
}

// FuzzH2Frames serves arbitrary bytes after the preface as one client
// connection: no panic, and the connection ends once the client has sent
// them and left, with every exchange finished.
func FuzzH2Frames(f *testing.F) {
	for _, s := range h2Seeds() {
		f.Add(s)
	}
	handler := pipelineFunc(func(x *pipeline.Exchange) {
		n, _ := io.Copy(io.Discard, x.Body)
		x.Response.Header().Set("Content-Type", "text/plain")
		x.Response.Write(append([]byte(x.Path), x.JA4H()...))
		if n > 0 {
			x.Response.Write(make([]byte, n))
		}
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		server, client := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			h2.Serve(server, nil, h2.Config{Handler: handler, Scheme: "http",
				PrefaceTimeout: time.Second, IdleTimeout: time.Second, BodyTimeout: time.Second, SendTimeout: time.Second})
		}()
		go io.Copy(io.Discard, client)
		client.SetWriteDeadline(time.Now().Add(2 * time.Second))
		client.Write(append([]byte(h2.Preface), in...))
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the connection did not end after the client left; input %q", in)
		}
	})
}

// pipelineFunc makes a function a pipeline.Handler.
type pipelineFunc func(x *pipeline.Exchange)

func (f pipelineFunc) Serve(x *pipeline.Exchange) { f(x) }
