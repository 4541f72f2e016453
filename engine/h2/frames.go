package h2

import (
	"golang.org/x/net/http2"
)

// handle acts on one frame; an error ends the connection.
func (c *conn) handle(f http2.Frame) error {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		return c.onSettings(f)
	case *http2.MetaHeadersFrame:
		return c.onHeaders(f)
	case *http2.DataFrame:
		return c.onData(f)
	case *http2.WindowUpdateFrame:
		return c.onWindowUpdate(f)
	case *http2.PingFrame:
		if f.StreamID != 0 {
			return http2.ConnectionError(http2.ErrCodeProtocol)
		}
		if f.IsAck() {
			return nil
		}
		return c.write(func() error { return c.fr.WritePing(true, f.Data) })
	case *http2.RSTStreamFrame:
		return c.onReset(f)
	case *http2.GoAwayFrame:
		c.mu.Lock()
		c.goingAway = true // the client opens no more streams
		c.mu.Unlock()
		return nil
	case *http2.PushPromiseFrame:
		return http2.ConnectionError(http2.ErrCodeProtocol) // clients do not push
	}
	return nil // PRIORITY and unknown frames are ignored
}

// onSettings applies the client's SETTINGS and acknowledges them.
func (c *conn) onSettings(f *http2.SettingsFrame) error {
	if f.IsAck() {
		return nil
	}
	var tableSize uint32
	hasTable := false
	err := f.ForeachSetting(func(s http2.Setting) error {
		if err := s.Valid(); err != nil {
			return err
		}
		switch s.ID {
		case http2.SettingInitialWindowSize:
			c.setPeerWindow(int64(s.Val))
		case http2.SettingMaxFrameSize:
			c.mu.Lock()
			c.peerMaxFrame = s.Val
			c.mu.Unlock()
		case http2.SettingHeaderTableSize:
			tableSize, hasTable = s.Val, true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.write(func() error {
		if hasTable {
			c.henc.SetMaxDynamicTableSizeLimit(tableSize)
		}
		return c.fr.WriteSettingsAck()
	})
}

// setPeerWindow moves every stream's send window by the change of the
// client's initial window (RFC 9113 §6.9.2).
func (c *conn) setPeerWindow(v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delta := v - c.peerWindow
	c.peerWindow = v
	for _, st := range c.streams {
		st.sendWin += delta
	}
	c.cond.Broadcast()
}

// onWindowUpdate grows a send window.
func (c *conn) onWindowUpdate(f *http2.WindowUpdateFrame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	const maxWindow = 1<<31 - 1
	if f.StreamID == 0 {
		if c.sendWin+int64(f.Increment) > maxWindow {
			return http2.ConnectionError(http2.ErrCodeFlowControl)
		}
		c.sendWin += int64(f.Increment)
		c.cond.Broadcast()
		return nil
	}
	st := c.streams[f.StreamID]
	if st == nil {
		return c.checkKnown(f.StreamID)
	}
	if st.sendWin+int64(f.Increment) > maxWindow {
		c.mu.Unlock()
		c.reset(f.StreamID, http2.ErrCodeFlowControl)
		c.mu.Lock()
		return nil
	}
	st.sendWin += int64(f.Increment)
	c.cond.Broadcast()
	return nil
}

// checkKnown is the answer to a frame for a stream not in the table: fine
// for one that was open (closed since), a connection error for one never
// opened. Called under mu.
func (c *conn) checkKnown(id uint32) error {
	if id > c.maxID {
		return http2.ConnectionError(http2.ErrCodeProtocol)
	}
	return nil
}

// onReset ends a stream the client reset: its exchange is told (its
// context ends, its body fails) and runs to its end, its writes dropped.
func (c *conn) onReset(f *http2.RSTStreamFrame) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.streams[f.StreamID]
	if st == nil {
		return c.checkKnown(f.StreamID)
	}
	st.peerReset = true
	c.forget(st)
	return nil
}

// forget drops a stream from the table: it no longer counts against
// MaxConcurrentStreams. Its exchange, if running, goes on. Called under mu.
func (c *conn) forget(st *stream) {
	if c.streams[st.id] != st {
		return
	}
	delete(c.streams, st.id)
	st.cancel()
	st.bodyCond.Broadcast()
	c.cond.Broadcast()
	// What it had received and not read is the connection's again.
	if n := st.buffered(); n > 0 {
		st.body.buf = nil
		c.recvWin += int64(n)
		go c.write(func() error { return c.fr.WriteWindowUpdate(0, uint32(n)) })
	}
}

// onData queues a stream's body bytes for its exchange.
func (c *conn) onData(f *http2.DataFrame) error {
	n := int64(f.Length) // padding included: it counts against the windows
	c.mu.Lock()
	c.recvWin -= n
	if c.recvWin < 0 {
		c.mu.Unlock()
		return http2.ConnectionError(http2.ErrCodeFlowControl)
	}
	st := c.streams[f.StreamID]
	if st == nil || st.remoteDone {
		err := c.checkKnown(f.StreamID)
		c.recvWin += n
		c.mu.Unlock()
		if err != nil {
			return err
		}
		return c.write(func() error {
			if n > 0 {
				c.fr.WriteWindowUpdate(0, uint32(n))
			}
			return c.fr.WriteRSTStream(f.StreamID, http2.ErrCodeStreamClosed)
		})
	}
	code := st.received(f.Data(), f.StreamEnded())
	pad := uint32(n) - uint32(len(f.Data()))
	c.recvWin += int64(pad)
	c.mu.Unlock()
	if code != http2.ErrCodeNo {
		c.reset(f.StreamID, code)
		return nil
	}
	if pad == 0 {
		return nil
	}
	// Padding is never read: its window comes back at once.
	return c.write(func() error {
		if err := c.fr.WriteWindowUpdate(0, pad); err != nil {
			return err
		}
		return c.fr.WriteWindowUpdate(f.StreamID, pad)
	})
}
