package telemetry

import (
	"io"
	"sync"
	"time"
)

// lineBuffer gathers whole lines and writes them out in batches: when
// flushSize bytes are waiting, every flushEvery, and on Close. A request
// then pays for a copy under a mutex, not for a write to the terminal or
// the disk. Every write to the underlying writer is of whole lines.
type lineBuffer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	closed bool // after Close, every line goes out at once

	stop chan struct{}
	done chan struct{}
}

const (
	// flushSize is how much waits at most before a write: a few hundred
	// lines, one write.
	flushSize = 32 << 10
	// flushEvery bounds how late a line is when requests are few: a person
	// watching the log sees their request at once.
	flushEvery = 100 * time.Millisecond
)

func newLineBuffer(w io.Writer) *lineBuffer {
	b := &lineBuffer{w: w, buf: make([]byte, 0, flushSize+4<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

// Write takes one whole line.
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	b.flushIfFull()
	return len(p), nil
}

// flushIfFull writes the waiting lines when there are enough, or when the
// buffer is closed; b.mu is held.
func (b *lineBuffer) flushIfFull() {
	if len(b.buf) >= flushSize || b.closed {
		b.flush()
	}
}

// flush writes what waits; b.mu is held. A log has nowhere to report its
// own failure to write.
func (b *lineBuffer) flush() {
	if len(b.buf) > 0 {
		_, _ = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

func (b *lineBuffer) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.flush()
			b.mu.Unlock()
		}
	}
}

// Close writes what waits and stops the batching: a line that comes later
// (a request that outlived the drain) is written at once, never lost.
// The writer is left open.
func (b *lineBuffer) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.flush()
	b.mu.Unlock()
	close(b.stop)
	<-b.done
}
