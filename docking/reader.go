package docking

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ReadBufferLen is the size a Reader's buffer starts at, the same as the
// HTTP bay's read buffer, so that a whole HaulChunkLen chunk fits in one.
const ReadBufferLen = 64 << 10

// maxEmptyReads is how many reads returning nothing a Reader tolerates
// before giving up with io.ErrNoProgress, as bufio does.
const maxEmptyReads = 100

// Reader reads frames from a link. Payloads point into its buffer, so once
// the buffer has grown to the largest frame seen, reading costs no
// allocation; the buffer keeps that size for the link's life. A Reader is
// not safe for concurrent use.
type Reader struct {
	rd   io.Reader
	buf  []byte
	r, w int   // buf[r:w] is read from rd and not yet returned
	err  error // the error rd returned, reported once buffered bytes run out
}

// NewReader returns a Reader reading frames from rd.
func NewReader(rd io.Reader) *Reader {
	return &Reader{rd: rd, buf: make([]byte, ReadBufferLen)}
}

// Next returns the next frame. Its payload is valid until the next call.
// At EOF between frames it returns io.EOF itself; EOF inside a frame gives
// an error wrapping io.ErrUnexpectedEOF that says how much of the frame had
// arrived. An unknown type byte gives an error wrapping ErrUnknownType, a
// length over MaxFramePayload one wrapping ErrFrameTooLarge; after either
// the link is out of step and must be closed.
func (r *Reader) Next() (Frame, error) {
	if err := r.fill(HeaderLen); err != nil {
		return Frame{}, err
	}
	h := r.buf[r.r : r.r+HeaderLen]
	t := Type(h[0])
	if !t.Known() {
		return Frame{}, fmt.Errorf("docking: read frame: %w 0x%02x", ErrUnknownType, h[0])
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxFramePayload {
		return Frame{}, fmt.Errorf("docking: read frame: %w: %s announces %d bytes, more than %d", ErrFrameTooLarge, t, n, MaxFramePayload)
	}
	end := HeaderLen + int(n)
	if err := r.fill(end); err != nil {
		return Frame{}, err
	}
	start := r.r
	r.r += end
	return Frame{Type: t, Payload: r.buf[start+HeaderLen : start+end : start+end]}, nil
}

// Buffered returns how many bytes have been read from the link and not yet
// returned as frames; a caller can flush its answers when it is zero, since
// the peer is then waiting.
func (r *Reader) Buffered() int { return r.w - r.r }

// fill reads until buf[r.r:] holds at least need bytes.
func (r *Reader) fill(need int) error {
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	for empty := 0; r.w-r.r < need; {
		if r.err != nil {
			return r.failure()
		}
		if r.w == len(r.buf) {
			r.makeRoom(need)
		}
		n, err := r.rd.Read(r.buf[r.w:])
		r.w += n
		r.err = err
		if n > 0 || err != nil {
			empty = 0
			continue
		}
		if empty++; empty == maxEmptyReads {
			r.err = io.ErrNoProgress
		}
	}
	return nil
}

// makeRoom makes room to read more of a frame of need bytes: it moves the
// unread bytes to the front of the buffer, or when they fill it already,
// doubles the buffer, up to need. Growing as bytes arrive, rather than to
// the length a header announces, keeps a peer from making a link hold
// MaxFramePayload bytes it never sends.
func (r *Reader) makeRoom(need int) {
	if r.r > 0 {
		r.w = copy(r.buf, r.buf[r.r:r.w])
		r.r = 0
		return
	}
	buf := make([]byte, min(need, 2*len(r.buf)))
	r.w = copy(buf, r.buf[:r.w])
	r.buf = buf
}

// failure turns the error rd returned into the one Next reports, now that
// the buffered bytes do not make a whole frame.
func (r *Reader) failure() error {
	partial := r.w - r.r
	switch {
	case errors.Is(r.err, io.EOF) && partial == 0:
		return io.EOF
	case errors.Is(r.err, io.EOF):
		return fmt.Errorf("docking: link closed with %d bytes of a partial frame: %w", partial, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("docking: read frame: %w", r.err)
}
