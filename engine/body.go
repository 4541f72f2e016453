package engine

import (
	"errors"
	"io"
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/pipeline"
)

// continueLine is the interim answer to `Expect: 100-continue`.
var continueLine = []byte("HTTP/1.1 100 Continue\r\n\r\n")

// body reads a request's body as its head framed it: Content-Length bytes,
// or chunks until the last one. Bytes already in the read buffer come
// first; a Content-Length body then reads straight into the caller's
// slice, a chunked one through the read buffer, so that whatever follows
// the body (a pipelined request) stays there.
type body struct {
	c         *conn
	remaining int64 // Content-Length bytes not yet read
	chunked   bool
	dec       h1.Chunked
	done      bool
	err       error
	expect    bool // 100 Continue is owed before the first read
	sentCont  bool
}

func (b *body) reset(req *h1.Request) {
	b.chunked = req.Chunked
	b.remaining = req.ContentLength
	if b.chunked {
		b.remaining = 0
		b.dec.Reset()
	}
	b.done = !b.chunked && b.remaining <= 0
	b.err = nil
	b.expect = req.Expect100 && !b.done
	b.sentCont = false
}

// Read reads body bytes; io.EOF at the end, pipeline.ErrBadBody for
// malformed chunks or a body cut short.
func (b *body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if b.expect {
		b.expect = false
		if err := b.sendContinue(); err != nil {
			return 0, b.fail(err)
		}
	}
	if b.chunked {
		return b.readChunked(p)
	}
	return b.readLength(p)
}

// sendContinue writes 100 Continue, unless bytes of the body are already
// here (the client did not wait for it).
func (b *body) sendContinue() error {
	c := b.c
	if c.pos < c.w {
		return nil
	}
	b.sentCont = true
	c.wdl.Write(c.nc, time.Now(), c.srv.limits.SendTimeout)
	_, err := c.nc.Write(continueLine)
	return err
}

func (b *body) readLength(p []byte) (int, error) {
	c := b.c
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	var n int
	if c.pos < c.w {
		n = copy(p, c.rbuf[c.pos:c.w])
		c.pos += n
	} else {
		c.rdl.Read(c.nc, time.Now(), c.srv.limits.BodyTimeout)
		var err error
		n, err = c.nc.Read(p)
		if n == 0 && err != nil {
			return 0, b.fail(err)
		}
	}
	b.remaining -= int64(n)
	if b.remaining == 0 {
		b.done = true
	}
	return n, nil
}

// readChunked decodes chunks from the read buffer into p, reading more
// into the buffer's free space after the head when it runs dry.
func (b *body) readChunked(p []byte) (int, error) {
	c := b.c
	for {
		if c.pos < c.w {
			in := c.rbuf[c.pos:min(c.w, c.pos+len(p))]
			used, data, done, err := b.dec.Decode(in)
			if err != nil {
				return 0, b.fail(err)
			}
			n := copy(p, data)
			c.pos += used
			if done {
				b.done = true
				if n == 0 {
					return 0, io.EOF
				}
			}
			if n > 0 || b.done {
				return n, nil
			}
			continue
		}
		if err := b.fill(); err != nil {
			return 0, b.fail(err)
		}
	}
}

// fill reads more of a chunked body into rbuf after the head, dropping
// the body bytes already decoded.
func (b *body) fill() error {
	c := b.c
	c.pos, c.w = c.head, c.head
	if len(c.rbuf)-c.head < chunkRoom {
		c.grow(chunkRoom)
	}
	c.rdl.Read(c.nc, time.Now(), c.srv.limits.BodyTimeout)
	n, err := c.nc.Read(c.rbuf[c.w:])
	c.w += n
	if n == 0 && err != nil {
		return err
	}
	return nil
}

// fail records that the body cannot be read further. A malformed chunk,
// a cut or a timeout all leave the request incomplete: to the stage it is
// ErrBadBody, the client's fault; the connection then closes.
func (b *body) fail(error) error {
	b.err = pipeline.ErrBadBody
	return b.err
}

// drain reads and drops what is left of the body so that the connection
// can serve the next request; false when the connection must close (a
// body too long to drop, a broken one, one owed a 100 Continue never sent).
func (b *body) drain() bool {
	if b.done {
		return true
	}
	if b.err != nil || b.expect {
		return false
	}
	if !b.chunked && b.remaining > b.c.srv.limits.MaxDiscard {
		return false
	}
	var scratch [512]byte
	var dropped int64
	for dropped <= b.c.srv.limits.MaxDiscard {
		n, err := b.Read(scratch[:])
		dropped += int64(n)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}
