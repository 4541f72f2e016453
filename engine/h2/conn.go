package h2

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Preface is what an HTTP/2 client sends first (RFC 9113 §3.4).
const Preface = http2.ClientPreface

// defaultWindow is the window both sides start with (RFC 9113 §6.9.2).
const defaultWindow = 65535

// errClosed is what a stream's writes get once the connection is gone.
var errClosed = errors.New("h2: connection closed")

// conn is one HTTP/2 connection. The reading goroutine (serve) owns
// streams and the counters next to it, under mu; handlers take mu to
// reach their stream's windows and body.
type conn struct {
	cfg *Config
	nc  net.Conn
	fr  *http2.Framer
	bw  *bufio.Writer

	wmu  sync.Mutex // one frame group on the wire at a time; the encoder
	henc *hpack.Encoder
	hbuf bytes.Buffer

	mu           sync.Mutex
	cond         *sync.Cond // send windows grew, or the connection closed
	streams      map[uint32]*stream
	maxID        uint32 // the highest stream the client opened
	sendWin      int64  // the connection's send window
	peerWindow   int64  // the client's SETTINGS_INITIAL_WINDOW_SIZE
	peerMaxFrame uint32
	recvWin      int64 // what the client may still send on the connection
	handlers     int   // exchanges running
	queue        []*stream
	goingAway    bool
	closed       bool
	failed       bool // the reader said GOAWAY for a connection error
	wg           sync.WaitGroup
}

// Serve runs HTTP/2 on nc until the client leaves, an error ends the
// connection or the drain is over; it closes nc and returns once every
// stream's exchange returned. prefix is what the engine read already (the
// start of the preface, for h2c).
func Serve(nc net.Conn, prefix []byte, cfg Config) {
	cfg.orDefaults()
	c := &conn{cfg: &cfg, nc: nc, streams: map[uint32]*stream{},
		sendWin: defaultWindow, peerWindow: defaultWindow, peerMaxFrame: 16 << 10,
		recvWin: int64(cfg.InitialWindow)}
	c.cond = sync.NewCond(&c.mu)
	c.bw = bufio.NewWriterSize(nc, 16<<10)
	r := io.MultiReader(bytes.NewReader(prefix), nc)
	c.fr = http2.NewFramer(c.bw, r)
	c.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	c.fr.MaxHeaderListSize = cfg.MaxHeaderListSize
	c.henc = hpack.NewEncoder(&c.hbuf)
	err := c.serve(r)
	if err != nil && cfg.ErrorLog != nil && !isQuiet(err) {
		cfg.ErrorLog.Printf("h2: bind %q: %v: %v", cfg.Bind, nc.RemoteAddr(), err)
	}
	c.shut()
	if c.failed {
		c.linger()
	}
	nc.Close()
	c.wg.Wait()
}

// Lingering after a connection error, as Go's own server waits after its
// GOAWAY: at most this long and this much.
const (
	lingerTime  = time.Second
	lingerBytes = 1 << 20
)

// linger half-closes the connection and drops what the client still
// sends, so that closing with its frames unread does not reset the
// connection before the client has read the GOAWAY that says why.
func (c *conn) linger() {
	c.wmu.Lock() // no exchange writes past this point
	defer c.wmu.Unlock()
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	io.Copy(io.Discard, io.LimitReader(c.nc, lingerBytes))
}

// shut marks the connection closed and wakes every waiting writer and
// reader; exchanges still running see errClosed.
func (c *conn) shut() {
	c.mu.Lock()
	c.closed = true
	for _, st := range c.streams {
		st.cancel()
	}
	for _, st := range c.queue {
		st.cancel()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

// isQuiet tells the ends that are the client's right: it left, or idled.
func isQuiet(err error) bool {
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.As(err, &ne) && ne.Timeout() || errors.Is(err, errDone)
}

// errDone ends serve after a drain with no stream left.
var errDone = errors.New("h2: drained")

// serve reads the preface, says SETTINGS, and handles frames until the end.
func (c *conn) serve(r io.Reader) error {
	c.nc.SetReadDeadline(time.Now().Add(c.cfg.PrefaceTimeout))
	var pre [len(Preface)]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return err
	}
	if string(pre[:]) != Preface {
		return errors.New("not the HTTP/2 preface")
	}
	if err := c.writeSettings(); err != nil {
		return err
	}
	go c.watchDrain()
	for {
		if err := c.readDeadline(); err != nil {
			return err
		}
		f, err := c.fr.ReadFrame()
		if err != nil {
			return c.readError(err)
		}
		if err := c.handle(f); err != nil {
			return c.connError(err)
		}
	}
}

// writeSettings sends our SETTINGS and opens the connection's window to
// InitialWindow.
func (c *conn) writeSettings() error {
	return c.write(func() error {
		err := c.fr.WriteSettings(
			http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: c.cfg.MaxConcurrentStreams},
			http2.Setting{ID: http2.SettingInitialWindowSize, Val: c.cfg.InitialWindow},
			http2.Setting{ID: http2.SettingMaxHeaderListSize, Val: c.cfg.MaxHeaderListSize},
		)
		if err == nil && c.cfg.InitialWindow > defaultWindow {
			err = c.fr.WriteWindowUpdate(0, c.cfg.InitialWindow-defaultWindow)
		}
		return err
	})
}

// readDeadline sets the wait for the next frame: IdleTimeout while no
// stream is in flight, none while one is (its body has BodyTimeout).
// After a drain with no stream left, it ends the connection.
func (c *conn) readDeadline() error {
	c.mu.Lock()
	idle := len(c.streams) == 0 && c.handlers == 0
	away := c.goingAway
	c.mu.Unlock()
	if idle && away {
		return errDone
	}
	var dl time.Time
	if idle {
		dl = time.Now().Add(c.cfg.IdleTimeout)
	}
	return c.nc.SetReadDeadline(dl)
}

// readError turns a ReadFrame failure into the connection's end: a
// stream error resets that stream and goes on, a connection error says
// GOAWAY first.
func (c *conn) readError(err error) error {
	var se http2.StreamError
	if errors.As(err, &se) {
		c.reset(se.StreamID, se.Code)
		return nil
	}
	return c.connError(err)
}

// connError ends the connection with GOAWAY: the code of a connection
// error, PROTOCOL_ERROR for a malformed frame. A read that failed
// (the client left) says nothing.
func (c *conn) connError(err error) error {
	if err == nil {
		return nil
	}
	var ce http2.ConnectionError
	code := http2.ErrCodeProtocol
	if errors.As(err, &ce) {
		code = http2.ErrCode(ce)
	} else if isQuiet(err) || errors.Is(err, errClosed) {
		return err
	}
	c.goAway(code)
	c.failed = true
	return fmt.Errorf("connection error %v: %w", code, err)
}

// goAway sends GOAWAY naming the last stream taken.
func (c *conn) goAway(code http2.ErrCode) {
	c.mu.Lock()
	c.goingAway = true
	last := c.maxID
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteGoAway(last, code, nil) })
}

// watchDrain says GOAWAY when the server drains, and wakes the reader so
// that an idle connection closes at once.
func (c *conn) watchDrain() {
	if c.cfg.Drain == nil {
		return
	}
	select {
	case <-c.cfg.Drain:
	case <-c.cfg.Context.Done():
	}
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return
	}
	c.goAway(http2.ErrCodeNo)
	c.wakeIfIdle()
}

// wakeIfIdle makes a blocked frame read return when the connection has
// nothing left to do after a GOAWAY.
func (c *conn) wakeIfIdle() {
	c.mu.Lock()
	done := c.goingAway && len(c.streams) == 0 && c.handlers == 0
	c.mu.Unlock()
	if done {
		c.nc.SetReadDeadline(time.Unix(1, 0))
	}
}

// write runs fn, which writes frames, under the write lock and the send
// timeout, and flushes them.
func (c *conn) write(fn func() error) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(c.cfg.SendTimeout))
	if err := fn(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// reset sends RST_STREAM and forgets the stream.
func (c *conn) reset(id uint32, code http2.ErrCode) {
	c.mu.Lock()
	if st := c.streams[id]; st != nil {
		c.forget(st)
	}
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteRSTStream(id, code) })
}
