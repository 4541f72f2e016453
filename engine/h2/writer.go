package h2

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// dataBuffer is how much body a stream gathers before a DATA frame.
const dataBuffer = 16 << 10

// errBodyTooLong is what Write returns past a declared Content-Length.
var errBodyTooLong = errors.New("h2: response body longer than its Content-Length")

// response is a stream's ResponseWriter: HEADERS when the head is
// complete, DATA as the body comes, trailers as a last HEADERS.
type response struct {
	st       *stream
	h        pipeline.Header
	trailer  pipeline.Header
	buf      []byte
	method   string
	status   int
	headSent bool
	noBody   bool
	length   int64
	written  int64
	err      error
}

// Header is the response's field list.
func (r *response) Header() *pipeline.Header { return &r.h }

// Trailer is the list sent after the body (gRPC's status, say).
func (r *response) Trailer() *pipeline.Header { return &r.trailer }

// Status is the final status written, 0 until then.
func (r *response) Status() int { return r.status }

// Written counts the body bytes sent as DATA.
func (r *response) Written() int64 { return r.written }

// WriteHeader sends an interim head at once (1xx), or records the final
// status; its HEADERS go with the first body bytes or the end.
func (r *response) WriteHeader(status int) {
	if r.status != 0 || r.err != nil {
		return
	}
	if status < 100 || status > 999 || status == 101 {
		status = 500 // HTTP/2 has no 101 (RFC 9113 §8.6)
	}
	if status < 200 {
		r.err = r.sendFields(status, &r.h, false)
		r.h.Reset()
		return
	}
	r.status = status
	r.length = -1
	if cl := r.h.Get("content-length"); cl != "" {
		if n, ok := httpsyntax.ParseUint(cl); ok {
			r.length = n
		} else {
			r.h.Del("content-length")
		}
	}
	r.noBody = r.method == "HEAD" || status == 204 || status == 304
}

// Write buffers body bytes, sending DATA as the buffer fills.
func (r *response) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(200)
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.noBody {
		return len(p), nil
	}
	n := len(p)
	if r.length >= 0 && r.written+int64(n) > r.length {
		p = p[:r.length-r.written]
		r.err = errBodyTooLong
		r.st.Abort()
	}
	r.written += int64(len(p))
	r.buf = append(r.buf, p...)
	if len(r.buf) >= dataBuffer {
		if err := r.Flush(); err != nil {
			return 0, err
		}
	}
	if r.err != nil {
		return len(p), r.err
	}
	return n, nil
}

// Flush sends the head and what body is buffered.
func (r *response) Flush() error {
	if r.status == 0 {
		r.WriteHeader(200)
	}
	if r.err != nil && !errors.Is(r.err, errBodyTooLong) {
		return r.err
	}
	if err := r.sendHead(false); err != nil {
		return err
	}
	err := r.st.sendData(r.buf, false)
	r.buf = r.buf[:0]
	if err != nil {
		r.err = err
	}
	return err
}

// sendHead sends the final HEADERS once.
func (r *response) sendHead(end bool) error {
	if r.headSent {
		return nil
	}
	r.headSent = true
	if err := r.sendFields(r.status, &r.h, end); err != nil {
		r.err = err
		return err
	}
	return nil
}

// finish ends the stream: the head if none went, the body's rest, and the
// trailers or an END_STREAM. An aborted stream ends by RST_STREAM instead.
func (r *response) finish() {
	st := r.st
	st.c.mu.Lock()
	skip := st.aborted || st.peerReset
	st.c.mu.Unlock()
	if skip || r.err != nil && !errors.Is(r.err, errBodyTooLong) {
		return
	}
	if r.status == 0 {
		r.h.Set("content-length", "0")
		r.WriteHeader(200)
	}
	if r.length >= 0 && !r.noBody && r.written < r.length {
		st.Abort() // a short body: the reset tells the client
		return
	}
	trailers := r.trailer.Len() > 0
	if !r.headSent && len(r.buf) == 0 && !trailers {
		r.sendHead(true)
		return
	}
	if r.sendHead(false) != nil {
		return
	}
	if st.sendData(r.buf, !trailers) != nil {
		return
	}
	r.buf = r.buf[:0]
	if trailers {
		r.sendFields(0, &r.trailer, true)
	}
}

// sendFields encodes a head (status > 0) or trailers (status 0) and sends
// it as HEADERS and as many CONTINUATION frames as the client's frame
// size needs.
func (r *response) sendFields(status int, h *pipeline.Header, end bool) error {
	c := r.st.c
	c.mu.Lock()
	max := int(c.peerMaxFrame)
	c.mu.Unlock()
	return c.write(func() error {
		c.hbuf.Reset()
		if status > 0 {
			c.henc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
		}
		encodeFields(c.henc, h)
		if status >= 200 && !h.Has("date") {
			c.henc.WriteField(hpack.HeaderField{Name: "date", Value: time.Now().UTC().Format(http.TimeFormat)})
		}
		block := c.hbuf.Bytes()
		first := block[:min(len(block), max)]
		block = block[len(first):]
		err := c.fr.WriteHeaders(http2.HeadersFrameParam{StreamID: r.st.id, BlockFragment: first, EndStream: end, EndHeaders: len(block) == 0})
		for err == nil && len(block) > 0 {
			frag := block[:min(len(block), max)]
			block = block[len(frag):]
			err = c.fr.WriteContinuation(r.st.id, len(block) == 0, frag)
		}
		return err
	})
}

// encodeFields encodes the fields but those HTTP/2 forbids (the
// connection's own, RFC 9113 §8.2.2) and those not well formed, names in
// lower case as HTTP/2 wants them.
func encodeFields(enc *hpack.Encoder, h *pipeline.Header) {
	for _, f := range h.Fields() {
		if !httpsyntax.IsToken(f.Name) || !httpsyntax.IsFieldValue(f.Value) || connectionField(f.Name) {
			continue
		}
		enc.WriteField(hpack.HeaderField{Name: strings.ToLower(f.Name), Value: f.Value})
	}
}

// connectionField reports a field that is HTTP/1.1's connection's, not
// the message's.
func connectionField(name string) bool {
	for _, n := range [...]string{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"} {
		if httpsyntax.EqualFold(name, n) {
			return true
		}
	}
	return false
}

// sendData sends p as DATA frames as the windows allow, the last with
// END_STREAM when end is set (an empty one when p is).
func (st *stream) sendData(p []byte, end bool) error {
	c := st.c
	for len(p) > 0 || end {
		n, err := st.take(len(p))
		if err != nil {
			return err
		}
		last := end && n == len(p)
		if err := c.write(func() error { return c.fr.WriteData(st.id, last, p[:n]) }); err != nil {
			return err
		}
		p = p[n:]
		if last {
			return nil
		}
	}
	return nil
}

// take waits until both send windows are open and takes up to want bytes
// of them, no more than a frame.
func (st *stream) take(want int) (int, error) {
	c := st.c
	c.mu.Lock()
	defer c.mu.Unlock()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	timedOut := false
	for {
		if c.closed || timedOut {
			return 0, errClosed
		}
		if st.peerReset || st.ctx.Err() != nil && c.streams[st.id] != st {
			return 0, errClosed
		}
		if want == 0 {
			return 0, nil
		}
		n := min(int64(want), c.sendWin, st.sendWin, int64(c.peerMaxFrame))
		if n > 0 {
			c.sendWin -= n
			st.sendWin -= n
			return int(n), nil
		}
		if timer == nil {
			// A client that never opens its window holds nothing longer
			// than a write could.
			timer = time.AfterFunc(c.cfg.SendTimeout, func() {
				c.mu.Lock()
				timedOut = true
				c.cond.Broadcast()
				c.mu.Unlock()
			})
		}
		c.cond.Wait()
	}
}
