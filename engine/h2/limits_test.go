package h2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/mothership-go/mothership/pipeline"
)

// rawClient speaks HTTP/2 frame by frame, as an attacker would.
type rawClient struct {
	t    *testing.T
	nc   net.Conn
	fr   *http2.Framer
	hbuf bytes.Buffer
	henc *hpack.Encoder
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	c := &rawClient{t: t, nc: nc, fr: http2.NewFramer(nc, nc)}
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.henc = hpack.NewEncoder(&c.hbuf)
	if _, err := io.WriteString(nc, http2.ClientPreface); err != nil {
		t.Fatal(err)
	}
	if err := c.fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	return c
}

// block encodes a GET's header block with extra fields.
func (c *rawClient) block(extra ...hpack.HeaderField) []byte {
	c.hbuf.Reset()
	for _, f := range append([]hpack.HeaderField{{Name: ":method", Value: "GET"}, {Name: ":scheme", Value: "http"},
		{Name: ":authority", Value: "example.test"}, {Name: ":path", Value: "/"}}, extra...) {
		c.henc.WriteField(f)
	}
	return bytes.Clone(c.hbuf.Bytes())
}

// get opens stream id with a GET and no body.
func (c *rawClient) get(id uint32, extra ...hpack.HeaderField) {
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: c.block(extra...), EndStream: true, EndHeaders: true}); err != nil {
		c.t.Fatal(err)
	}
}

// until reads frames until want says it has what it looked for, answering
// SETTINGS; it reports the connection's end (an error) otherwise.
func (c *rawClient) until(want func(http2.Frame) bool) error {
	for {
		f, err := c.fr.ReadFrame()
		if err != nil {
			return err
		}
		if s, ok := f.(*http2.SettingsFrame); ok && !s.IsAck() {
			c.fr.WriteSettingsAck()
		}
		if want(f) {
			return nil
		}
	}
}

// goAway reads until the server's GOAWAY and returns its code.
func (c *rawClient) goAway() (http2.ErrCode, error) {
	var code http2.ErrCode
	err := c.until(func(f http2.Frame) bool {
		g, ok := f.(*http2.GoAwayFrame)
		if ok {
			code = g.ErrCode
		}
		return ok
	})
	return code, err
}

// blocked is a handler that holds every exchange until release is closed,
// whatever its client does: a stage that ignores a reset.
func blocked(release <-chan struct{}) pipeline.Handler {
	return handlerFunc(func(x *pipeline.Exchange) {
		<-release
		x.Response.WriteHeader(204)
	})
}

// TestStreamsPastTheLimitAreRefused: the stream after the hundredth open
// one is refused with REFUSED_STREAM, and the connection goes on.
func TestStreamsPastTheLimitAreRefused(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c := dialRaw(t, serve(t, Config{Handler: blocked(release)}))
	last := uint32(2*DefaultMaxConcurrentStreams + 1)
	for id := uint32(1); id <= last+2; id += 2 {
		c.get(id)
	}
	var refused []uint32
	err := c.until(func(f http2.Frame) bool {
		if r, ok := f.(*http2.RSTStreamFrame); ok && r.ErrCode == http2.ErrCodeRefusedStream {
			refused = append(refused, r.StreamID)
		}
		return len(refused) == 2
	})
	if err != nil || refused[0] != last || refused[1] != last+2 {
		t.Fatalf("refused streams %v (%v), want %d and %d: the %dth and later of %d open at once", refused, err, last, last+2,
			DefaultMaxConcurrentStreams+1, DefaultMaxConcurrentStreams)
	}
	if err := c.fr.WritePing(false, [8]byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := c.until(func(f http2.Frame) bool { p, ok := f.(*http2.PingFrame); return ok && p.IsAck() }); err != nil {
		t.Errorf("after the refusals the connection no longer answers PING: %v", err)
	}
}

// TestRapidResetEndsTheConnection: a client that resets streams whose
// exchanges go on (a stage that does not look at its context) and opens
// new ones in their place (CVE-2023-44487) gets no more than
// MaxConcurrentStreams exchanges running, and once the queue behind them
// is four times that long, GOAWAY with ENHANCE_YOUR_CALM, and the
// connection closes.
func TestRapidResetEndsTheConnection(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var running, most atomic.Int32
	stuck := handlerFunc(func(x *pipeline.Exchange) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		<-release
		running.Add(-1)
	})
	c := dialRaw(t, serve(t, Config{Handler: stuck}))
	id := uint32(1)
	for ; id < 2*DefaultMaxConcurrentStreams; id += 2 {
		c.get(id)
	}
	for deadline := time.Now().Add(10 * time.Second); running.Load() < DefaultMaxConcurrentStreams; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d exchanges running, want %d", running.Load(), DefaultMaxConcurrentStreams)
		}
	}
	for r := uint32(1); r < id; r += 2 {
		c.fr.WriteRSTStream(r, http2.ErrCodeCancel)
	}
	for end := id + 2*5*DefaultMaxConcurrentStreams; id < end; id += 2 {
		if c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: c.block(), EndStream: true, EndHeaders: true}) != nil ||
			c.fr.WriteRSTStream(id, http2.ErrCodeCancel) != nil {
			break // the server has closed
		}
	}
	code, err := c.goAway()
	if err != nil || code != http2.ErrCodeEnhanceYourCalm {
		t.Fatalf("GOAWAY %v (%v), want ENHANCE_YOUR_CALM", code, err)
	}
	if err := c.until(func(http2.Frame) bool { return false }); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Errorf("after GOAWAY the connection ends with %v, want it closed", err)
	}
	if m := most.Load(); m > DefaultMaxConcurrentStreams {
		t.Errorf("%d exchanges ran at once, want at most %d", m, DefaultMaxConcurrentStreams)
	}
}

// TestContinuationFloodEndsTheConnection: a header block that never ends,
// CONTINUATION after CONTINUATION past the header list limit, is a
// connection error: GOAWAY, then the connection closes, long before the
// flood is over.
func TestContinuationFloodEndsTheConnection(t *testing.T) {
	c := dialRaw(t, serve(t, Config{Handler: echo}))
	junk := c.block(hpack.HeaderField{Name: "x-flood", Value: strings.Repeat("a", 16<<10)})
	if err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: c.block(), EndStream: true}); err != nil {
		t.Fatal(err)
	}
	// The server's SETTINGS is answered before the flood, so that only the
	// flood's goroutine writes from then on.
	if err := c.until(func(f http2.Frame) bool { s, ok := f.(*http2.SettingsFrame); return ok && !s.IsAck() }); err != nil {
		t.Fatal(err)
	}
	sent := 0
	go func() {
		for sent < 64<<20 && c.fr.WriteContinuation(1, false, junk) == nil {
			sent += len(junk)
		}
	}()
	if _, err := c.goAway(); err != nil {
		t.Fatalf("no GOAWAY during a CONTINUATION flood: %v", err)
	}
	if err := c.until(func(http2.Frame) bool { return false }); !errors.Is(err, io.EOF) && !isReset(err) {
		t.Errorf("after GOAWAY the connection ends with %v, want it closed", err)
	}
}

// TestHeaderListPastTheLimitIs431: a request whose fields together are
// over the advertised header list size is answered 431 on its stream, and
// the connection serves the next request. (One field longer than the whole
// limit is a connection error, as in Go's own server: HPACK refuses to
// decode the string.)
func TestHeaderListPastTheLimitIs431(t *testing.T) {
	c := dialRaw(t, serve(t, Config{Handler: echo, MaxHeaderListSize: 8 << 10}))
	third := strings.Repeat("b", 3<<10)
	c.get(1, hpack.HeaderField{Name: "x-a", Value: third}, hpack.HeaderField{Name: "x-b", Value: third}, hpack.HeaderField{Name: "x-c", Value: third})
	c.get(3)
	status := map[uint32]string{}
	err := c.until(func(f http2.Frame) bool {
		if h, ok := f.(*http2.MetaHeadersFrame); ok && status[h.StreamID] == "" {
			status[h.StreamID] = h.PseudoValue("status") // not the trailers'
		}
		return len(status) == 2
	})
	if err != nil || status[1] != "431" || status[3] != "200" {
		t.Errorf("statuses %v (%v), want 431 for the large request and 200 for the next", status, err)
	}
}

// isReset reports whether err is the peer's reset of the connection.
func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne)
}
