package docking

import (
	"fmt"
	"io"
)

// WriteBufferLen is how many bytes a Writer gathers before it writes them
// out on its own, the same as the HTTP bay's flush threshold.
const WriteBufferLen = 64 << 10

// Writer buffers frames for a link, so that a small response (Reply, Haul,
// FIN) leaves in one write. Frames go out when the buffer passes
// WriteBufferLen and on Flush; a data slice that would not fit is written
// straight from the caller's memory instead of being copied. Once the
// buffer has grown to the largest head written, writing costs no
// allocation. The first write error sticks: every later call returns it. A
// Writer is not safe for concurrent use.
type Writer struct {
	wr  io.Writer
	buf []byte
	err error
}

// NewWriter returns a Writer writing frames to wr.
func NewWriter(wr io.Writer) *Writer {
	return &Writer{wr: wr, buf: make([]byte, 0, WriteBufferLen)}
}

// Flush writes out the buffered frames.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.wr.Write(w.buf)
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("docking: write frames: %w", err)
	}
	return w.err
}

// Buffered returns how many bytes wait for the next write.
func (w *Writer) Buffered() int { return len(w.buf) }

// WriteEncoded queues frames already encoded, such as a HailBuilder's.
func (w *Writer) WriteEncoded(frames []byte) error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf)+len(frames) <= cap(w.buf) {
		w.buf = append(w.buf, frames...)
		return w.maybeFlush()
	}
	return w.writeThrough(frames)
}

// WriteHaul queues the data of request id as Haul frames of at most
// HaulChunkLen bytes, the last one with FIN when fin is set. No data and no
// FIN queues nothing: the HTTP bay skips empty frames that do not end a
// direction.
func (w *Writer) WriteHaul(id uint32, fin bool, data []byte) error {
	if len(data) == 0 && fin {
		return w.queue(Haul{RequestID: id, Fin: true}.Append(w.buf))
	}
	for len(data) > 0 {
		n := min(len(data), HaulChunkLen)
		chunk := Haul{RequestID: id, Fin: fin && n == len(data)}
		if err := w.writeData(chunk.appendHead(w.buf, n), data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// WriteCargo queues one WebSocket text message for connection id.
func (w *Writer) WriteCargo(id uint32, data []byte) error { return w.writeCargo(TypeCargo, id, data) }

// WriteFreight queues one WebSocket binary message for connection id, on a
// link that agreed to Freight.
func (w *Writer) WriteFreight(id uint32, data []byte) error {
	return w.writeCargo(TypeFreight, id, data)
}

func (w *Writer) writeCargo(t Type, id uint32, data []byte) error {
	if len(data) > MaxFramePayload-cargoHeadLen {
		return fmt.Errorf("docking: %s of %d bytes: %w", t, len(data), ErrFrameTooLarge)
	}
	return w.writeData(Cargo{ConnID: id}.appendHead(w.buf, t, len(data)), data)
}

// WriteReady queues the Ready that frees the link after request id.
func (w *Writer) WriteReady(id uint32) error {
	return w.queue(Ready{RequestID: id}.Append(w.buf))
}

// WriteReply queues the head of a response.
func (w *Writer) WriteReply(r *Reply) error {
	if w.err != nil {
		return w.err
	}
	buf, err := r.Append(w.buf)
	if err != nil {
		return err
	}
	return w.queue(buf)
}

// WriteHail queues the head of a request.
func (w *Writer) WriteHail(id uint32, contentLength uint64, params ...Pair) error {
	if w.err != nil {
		return w.err
	}
	buf, err := AppendHail(w.buf, id, contentLength, params...)
	if err != nil {
		return err
	}
	return w.queue(buf)
}

// WriteDock queues a Dock.
func (w *Writer) WriteDock(d Dock) error { return w.writeJSON(d.Append) }

// WriteMoored queues a Moored.
func (w *Writer) WriteMoored(m Moored) error { return w.writeJSON(m.Append) }

// WriteBoarding queues a Boarding.
func (w *Writer) WriteBoarding(b Boarding) error { return w.writeJSON(b.Append) }

// WriteDisembark queues a Disembark.
func (w *Writer) WriteDisembark(d Disembark) error { return w.writeJSON(d.Append) }

func (w *Writer) writeJSON(appendTo func([]byte) ([]byte, error)) error {
	if w.err != nil {
		return w.err
	}
	buf, err := appendTo(w.buf)
	if err != nil {
		return err
	}
	return w.queue(buf)
}

// queue takes buf, w.buf with frames appended, as the new buffer.
func (w *Writer) queue(buf []byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = buf
	return w.maybeFlush()
}

// writeData takes buf, w.buf with a frame head appended, and adds the
// frame's data: copied when it fits, else written straight after the head.
func (w *Writer) writeData(buf, data []byte) error {
	if w.err != nil {
		return w.err
	}
	w.buf = buf
	if len(w.buf)+len(data) <= cap(w.buf) {
		w.buf = append(w.buf, data...)
		return w.maybeFlush()
	}
	return w.writeThrough(data)
}

// writeThrough flushes the buffer, then writes p without copying it.
func (w *Writer) writeThrough(p []byte) error {
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := w.wr.Write(p); err != nil {
		w.err = fmt.Errorf("docking: write frames: %w", err)
	}
	return w.err
}

func (w *Writer) maybeFlush() error {
	if len(w.buf) >= WriteBufferLen {
		return w.Flush()
	}
	return nil
}
