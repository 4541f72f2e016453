package h2

import (
	"io"
	"time"

	"golang.org/x/net/http2"

	"github.com/mothership-go/mothership/pipeline"
)

// giveBackAt is how many read bytes make a WINDOW_UPDATE: fewer updates
// than one per read, soon enough that the client never stalls on them.
const giveBackAt = 16 << 10

// body is a stream's request body: the DATA the reader received, waiting
// for the exchange to read it. Fields are under the connection's mu.
type body struct {
	st       *stream
	buf      []byte
	window   int64 // the most that may wait unread
	declared int64 // content-length, or -1
	got      int64
	unacked  int // read but not yet given back to the client's windows
	eof      bool
	timedOut bool
}

// buffered is how many bytes wait unread. Called under mu.
func (st *stream) buffered() int { return len(st.body.buf) }

// received queues data, and ends the body when end is set; a code other
// than NO_ERROR resets the stream. Called under mu.
func (st *stream) received(data []byte, end bool) http2.ErrCode {
	b := &st.body
	if int64(len(b.buf)+len(data)) > b.window {
		return http2.ErrCodeFlowControl
	}
	b.got += int64(len(data))
	if b.declared >= 0 && b.got > b.declared {
		return http2.ErrCodeProtocol
	}
	b.buf = append(b.buf, data...)
	if end {
		st.remoteDone = true
		b.eof = true
		if b.declared >= 0 && b.got != b.declared {
			return http2.ErrCodeProtocol
		}
	}
	st.bodyCond.Broadcast()
	return http2.ErrCodeNo
}

// Read reads the body; io.EOF at its end, pipeline.ErrBadBody when the
// stream was reset, the connection closed or the client sent nothing for
// BodyTimeout.
func (b *body) Read(p []byte) (int, error) {
	st := b.st
	c := st.c
	c.mu.Lock()
	var timer *time.Timer
	for len(b.buf) == 0 && !b.eof && !b.broken() {
		if timer == nil {
			timer = time.AfterFunc(c.cfg.BodyTimeout, func() {
				c.mu.Lock()
				b.timedOut = true
				st.bodyCond.Broadcast()
				c.mu.Unlock()
			})
		}
		st.bodyCond.Wait()
	}
	if timer != nil {
		timer.Stop()
	}
	if len(b.buf) == 0 {
		broken := b.broken()
		c.mu.Unlock()
		if broken {
			return 0, pipeline.ErrBadBody
		}
		return 0, io.EOF
	}
	n := copy(p, b.buf)
	b.buf = b.buf[n:]
	b.unacked += n
	give := 0
	if b.unacked >= giveBackAt || len(b.buf) == 0 {
		give, b.unacked = b.unacked, 0
		c.recvWin += int64(give)
	}
	open := !b.eof
	c.mu.Unlock()
	if give > 0 {
		b.giveBack(uint32(give), open)
	}
	return n, nil
}

// broken reports whether no more body can come. Called under mu.
func (b *body) broken() bool {
	return b.st.peerReset || b.st.c.closed || b.timedOut || b.st.c.streams[b.st.id] != b.st && !b.eof
}

// giveBack opens the windows again by n read bytes: the connection's, and
// the stream's while the client may still send on it.
func (b *body) giveBack(n uint32, open bool) {
	c := b.st.c
	c.write(func() error {
		if err := c.fr.WriteWindowUpdate(0, n); err != nil {
			return err
		}
		if open {
			return c.fr.WriteWindowUpdate(b.st.id, n)
		}
		return nil
	})
}
