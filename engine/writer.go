package engine

import (
	"errors"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// writeBufferSize is the connection's write buffer: a head and a small
// body go out in one write.
const writeBufferSize = 8 << 10

// maxCoalesce is how large the write buffer may grow to send a head and
// the body after it in one write (a 32 KiB answer, say) instead of two.
const maxCoalesce = 64 << 10

// errBodyTooLong is what Write returns for bytes past the Content-Length a
// stage declared; the connection then closes.
var errBodyTooLong = errors.New("engine: response body longer than its Content-Length")

// response is the connection's ResponseWriter. It frames the body itself
// (see the package doc) and buffers writes in buf.
type response struct {
	c       *conn
	h       pipeline.Header
	trailer pipeline.Header // sent after a chunked body, dropped otherwise
	buf     []byte
	status  int
	minor   int    // the request's HTTP minor version
	method  string // the request's method, for HEAD
	keep    bool   // the request allows keep-alive
	noBody  bool
	chunked bool
	closing bool  // close after this answer (close-delimited, or asked)
	length  int64 // declared Content-Length, -1 when none
	written int64
	err     error
}

func (r *response) reset(req *h1.Request) {
	r.h.Reset()
	r.trailer.Reset()
	r.status, r.written, r.err = 0, 0, nil
	r.minor, r.method, r.keep = req.Minor, req.Method, req.KeepAlive
	r.noBody, r.chunked, r.closing = false, false, false
	r.length = -1
}

// Header is the response's field list.
func (r *response) Header() *pipeline.Header { return &r.h }

// Status is the final status written, 0 until then.
func (r *response) Status() int { return r.status }

// Written counts the body bytes sent, chunk framing excluded.
func (r *response) Written() int64 { return r.written }

// Trailer is the list sent after a chunked body (gRPC's status relayed to
// a client that sent TE: trailers); with a Content-Length there is no
// room for it and it is dropped.
func (r *response) Trailer() *pipeline.Header { return &r.trailer }

// WriteHeader writes the head: an interim one at once for 1xx (but 101),
// the final one into the buffer.
func (r *response) WriteHeader(status int) {
	if r.status != 0 || r.err != nil {
		return
	}
	if status < 100 || status > 999 {
		status = 500
	}
	if status < 200 && status != 101 {
		r.buf = h1.AppendStatusLine(r.buf, status)
		r.buf = r.appendFields(r.buf, false)
		r.buf = append(r.buf, "\r\n"...)
		r.h.Reset()
		r.err = r.flush()
		return
	}
	r.status = status
	r.frame()
	r.buf = h1.AppendStatusLine(r.buf, status)
	r.buf = r.appendFields(r.buf, true)
	r.buf = appendDate(r.buf)
	switch {
	case status == 101:
		r.buf = append(r.buf, "Connection: Upgrade\r\n"...)
	case r.closing:
		r.buf = append(r.buf, "Connection: close\r\n"...)
	case r.minor == 0:
		r.buf = append(r.buf, "Connection: keep-alive\r\n"...)
	}
	if r.chunked {
		r.buf = append(r.buf, "Transfer-Encoding: chunked\r\n"...)
	}
	r.buf = append(r.buf, "\r\n"...)
}

// frame decides how the body is delimited and whether the connection
// stays open after it.
func (r *response) frame() {
	c := r.c
	st := r.status
	r.closing = !r.keep || c.srv.draining.Load() || c.body.expect
	if i := r.h.Index("Connection", 0); i >= 0 && httpsyntax.HasTokenFold(r.h.Value(i), "close") {
		r.closing = true
	}
	if cl := r.h.Get("Content-Length"); cl != "" {
		if n, ok := httpsyntax.ParseUint(cl); ok {
			r.length = int64(n)
		} else {
			r.h.Del("Content-Length")
		}
	}
	switch {
	case st == 101:
		r.noBody, r.closing = true, false
	case st == 204, st == 304, r.method == "HEAD":
		r.noBody = true
		if st == 204 {
			r.h.Del("Content-Length")
		}
	case r.length >= 0:
	case r.minor == 1:
		r.chunked = true
	default:
		r.closing = true // HTTP/1.0 without a length: the close ends it
	}
}

// appendFields appends the stage's fields but those the engine owns; a
// field that is not well-formed (a name that is no token, a line break in
// a value) is dropped, since it could forge a line of the head.
func (r *response) appendFields(dst []byte, final bool) []byte {
	for _, f := range r.h.Fields() {
		if engineOwned(f.Name, final && r.status == 101) || !httpsyntax.IsToken(f.Name) || !httpsyntax.IsFieldValue(f.Value) {
			continue
		}
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// appendTrailer appends the trailer fields that may be trailers: well
// formed, and neither framing nor the engine's (RFC 9110 §6.5.1).
func appendTrailer(dst []byte, t *pipeline.Header) []byte {
	for _, f := range t.Fields() {
		if engineOwned(f.Name, false) || httpsyntax.EqualFold(f.Name, "content-length") || !httpsyntax.IsToken(f.Name) || !httpsyntax.IsFieldValue(f.Value) {
			continue
		}
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// engineOwned reports whether the engine writes the field itself: the
// framing and connection fields, and Date. An upgrade keeps its Upgrade
// field.
func engineOwned(name string, upgrade bool) bool {
	switch len(name) {
	case len("Connection"): // and Keep-Alive
		return httpsyntax.EqualFold(name, "connection") || httpsyntax.EqualFold(name, "keep-alive")
	case len("Transfer-Encoding"):
		return httpsyntax.EqualFold(name, "transfer-encoding")
	case len("Proxy-Connection"):
		return httpsyntax.EqualFold(name, "proxy-connection")
	case len("Date"):
		return httpsyntax.EqualFold(name, "date")
	case len("Upgrade"):
		return !upgrade && httpsyntax.EqualFold(name, "upgrade")
	}
	return false
}

// Write sends body bytes, writing a 200 head first if none was.
func (r *response) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(200)
	}
	if r.err != nil {
		return 0, r.err
	}
	if r.noBody || len(p) == 0 {
		return len(p), nil
	}
	n := len(p)
	if r.length >= 0 && r.written+int64(n) > r.length {
		p = p[:r.length-r.written]
		r.err = errBodyTooLong
		r.c.aborted = true
	}
	r.written += int64(len(p))
	if r.chunked {
		r.buf = h1.AppendChunkSize(r.buf, len(p))
	}
	if err := r.put(p); err != nil {
		return 0, err
	}
	if r.chunked {
		r.buf = append(r.buf, "\r\n"...)
	}
	if r.err != nil {
		return len(p), r.err
	}
	return n, nil
}

// put adds p to the buffer, writing through what does not fit: a large
// body goes to the socket without a copy.
func (r *response) put(p []byte) error {
	if len(r.buf)+len(p) <= cap(r.buf) {
		r.buf = append(r.buf, p...)
		return nil
	}
	if len(r.buf) > 0 && len(r.buf)+len(p) <= maxCoalesce {
		// What is buffered (a head, most often) and the body go out in one
		// write rather than two: the buffer grows to hold both, once per
		// connection, and keeps its size.
		r.buf = append(r.buf, p...)
		return nil
	}
	if err := r.flush(); err != nil {
		return err
	}
	if len(p) < cap(r.buf)/2 {
		r.buf = append(r.buf, p...)
		return nil
	}
	return r.send(p)
}

// Flush sends what is buffered now.
func (r *response) Flush() error {
	if r.status == 0 {
		r.WriteHeader(200)
	}
	return r.flush()
}

func (r *response) flush() error {
	if r.err != nil && !errors.Is(r.err, errBodyTooLong) {
		return r.err
	}
	if len(r.buf) == 0 {
		return nil
	}
	err := r.send(r.buf)
	r.buf = r.buf[:0]
	return err
}

func (r *response) send(p []byte) error {
	c := r.c
	c.wdl.Write(c.nc, time.Now(), c.srv.limits.SendTimeout)
	if _, err := c.nc.Write(p); err != nil {
		r.err = err
		return err
	}
	return nil
}

// finish ends the answer: a head if none was written, the last chunk. It
// reports whether the connection may serve another request.
func (r *response) finish() bool {
	if r.status == 0 {
		r.h.Set("Content-Length", "0")
		r.WriteHeader(200)
	}
	if r.chunked && r.err == nil {
		r.buf = append(r.buf, "0\r\n"...)
		r.buf = appendTrailer(r.buf, &r.trailer)
		r.buf = append(r.buf, "\r\n"...)
	}
	if r.length >= 0 && !r.noBody && r.written < r.length {
		return false // a short body: only the close tells the client
	}
	return r.err == nil && !r.closing
}

// appendRefusal appends the answer to a refused head.
func appendRefusal(dst []byte, e *h1.Error) []byte {
	text := strconv.Itoa(e.Status) + " " + e.Reason + "\n"
	dst = h1.AppendStatusLine(dst, e.Status)
	dst = append(dst, "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"...)
	dst = appendDate(dst)
	dst = append(dst, "Content-Length: "...)
	dst = strconv.AppendInt(dst, int64(len(text)), 10)
	dst = append(dst, "\r\n\r\n"...)
	return append(dst, text...)
}
