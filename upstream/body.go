package upstream

import (
	"errors"
	"io"
	"sync"
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/pipeline"
)

// copyBufferSize is the size of the pooled buffers bodies stream through.
const copyBufferSize = 32 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// requestBody is a request's body as forward sends it: the first bytes,
// read before a connection was taken (all of them when complete), then
// what is left in the exchange's Body.
type requestBody struct {
	x        *pipeline.Exchange
	buf      *[copyBufferSize]byte // pooled; holds the first bytes when they fit
	big      []byte                // the first bytes when they do not
	n        int
	complete bool // the whole body is buffered (or there is none)
}

// fill reads up to bound bytes of x's body. A body declared longer than
// bound is not waited for: it streams.
func (rb *requestBody) fill(x *pipeline.Exchange, bound int) error {
	rb.x = x
	if x.ContentLength == 0 {
		rb.complete = true
		return nil
	}
	if bound == 0 || x.ContentLength > int64(bound) {
		return nil
	}
	want := bound
	if x.ContentLength > 0 {
		want = int(x.ContentLength)
	}
	var dst []byte
	if want <= copyBufferSize {
		rb.buf = copyBuffers.Get().(*[copyBufferSize]byte)
		dst = rb.buf[:want]
	} else {
		rb.big = make([]byte, want)
		dst = rb.big
	}
	for rb.n < len(dst) {
		m, err := x.Body.Read(dst[rb.n:])
		rb.n += m
		if errors.Is(err, io.EOF) {
			rb.complete = true
			break
		}
		if errors.Is(err, pipeline.ErrBodyTooLarge) {
			return err
		}
		if err != nil {
			return pipeline.ErrBadBody
		}
	}
	// A declared length read in full is complete without its EOF; a chunked
	// body that filled the buffer streams the rest.
	if x.ContentLength > 0 && rb.n == want {
		rb.complete = true
	}
	return nil
}

// replayable reports whether the body can be sent again (a retry).
func (rb *requestBody) replayable() bool { return rb.complete }

// bytes are the buffered bytes.
func (rb *requestBody) bytes() []byte {
	if rb.big != nil {
		return rb.big[:rb.n]
	}
	if rb.buf == nil {
		return nil
	}
	return rb.buf[:rb.n]
}

// release returns the pooled buffer.
func (rb *requestBody) release() {
	if rb.buf != nil {
		copyBuffers.Put(rb.buf)
		rb.buf = nil
	}
}

// send writes the body after the head: the buffered bytes, then the rest
// of the exchange's Body, chunked when its length is unknown.
func (rb *requestBody) send(c *Conn) error {
	chunked := !rb.complete && rb.x.ContentLength < 0
	if err := c.writeBody(rb.bytes(), chunked); err != nil {
		return err
	}
	if rb.complete {
		return nil
	}
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	for {
		n, err := rb.x.Body.Read(buf[:])
		if n > 0 {
			if werr := c.writeBody(buf[:n], chunked); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, pipeline.ErrBodyTooLarge) {
			return err
		}
		if err != nil {
			return pipeline.ErrBadBody
		}
	}
	if chunked {
		return c.write(lastChunk)
	}
	return nil
}

var (
	lastChunk = []byte("0\r\n\r\n")
	crlf      = []byte("\r\n")
)

// writeBody writes p, as one chunk when chunked.
func (c *Conn) writeBody(p []byte, chunked bool) error {
	if len(p) == 0 {
		return nil
	}
	if !chunked {
		return c.write(p)
	}
	c.wbuf = h1.AppendChunkSize(c.wbuf[:0], len(p))
	if err := c.write(c.wbuf); err != nil {
		return err
	}
	if err := c.write(p); err != nil {
		return err
	}
	return c.write(crlf)
}

// write writes p to the upstream within the read timeout's bound.
func (c *Conn) write(p []byte) error { return c.writeAt(p, time.Now()) }

// writeAt is write with the clock read by the caller, just before.
func (c *Conn) writeAt(p []byte, now time.Time) error {
	c.wdl.Write(c.nc, now, writeTimeout)
	_, err := c.nc.Write(p)
	return err
}

// writeTimeout bounds one write to an upstream that stopped reading.
const writeTimeout = 60 * time.Second
