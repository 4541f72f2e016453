package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// relay sends an h2c response to the client: its head, each piece of body
// as it comes (flushed at once, so gRPC streams and server-sent events are
// not held back), then its trailers when the client takes them.
func (h *h2cForward) relay(x *pipeline.Exchange, t *target, resp *http.Response, w *watch) {
	out := x.Response.Header()
	for k, vv := range resp.Header {
		if httpsyntax.IsHopByHop(k) || setByBind(out, k) {
			continue
		}
		for _, v := range vv {
			out.Add(k, v)
		}
	}
	x.Response.WriteHeader(resp.StatusCode)
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	for {
		n, err := resp.Body.Read(buf[:])
		w.progress()
		if n > 0 {
			if _, werr := x.Response.Write(buf[:n]); werr != nil {
				x.Conn.Abort()
				return
			}
			if werr := x.Response.Flush(); werr != nil {
				x.Conn.Abort()
				return
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			h.f.errorLog.Printf("upstream: %s: response from %s cut: %v", h.f.name, t.pool.Addr(), w.explain(err))
			x.Conn.Abort()
			return
		}
	}
	if tw, ok := x.Response.(pipeline.TrailerWriter); ok && wantsTrailers(x) {
		for k, vv := range resp.Trailer {
			for _, v := range vv {
				tw.Trailer().Add(k, v)
			}
		}
	}
}

// wantsTrailers reports whether the client takes trailers: an HTTP/2 one
// always, an HTTP/1.1 one when its TE names trailers (RFC 9110 §10.1.4).
func wantsTrailers(x *pipeline.Exchange) bool {
	if x.Proto == pipeline.ProtoHTTP2 {
		return true
	}
	for i := x.Header.Index("TE", 0); i >= 0; i = x.Header.Index("TE", i+1) {
		if httpsyntax.HasTokenFold(x.Header.Value(i), "trailers") {
			return true
		}
	}
	return false
}

// h2cBody is a request body as the transport reads it, on its own
// goroutine while the response streams. Its lock is held during each read
// of the exchange's body, so that the watch may ask the engine whether the
// client left between two reads, and so that once the exchange ends no
// read of it is running or starts.
type h2cBody struct {
	x      *pipeline.Exchange
	mu     sync.Mutex
	read   bool // a read began: the body cannot be sent again
	closed bool
}

// errBodyEnded is what a read gets once the exchange is over.
var errBodyEnded = errors.New("the exchange is over")

// Read reads the exchange's body.
func (b *h2cBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errBodyEnded
	}
	b.read = true
	return b.x.Body.Read(p)
}

// Close is the transport's; the body ends with the exchange (end).
func (b *h2cBody) Close() error { return nil }

// started reports whether the transport began to read the body.
func (b *h2cBody) started() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.read
}

// end forbids further reads. An HTTP/1.1 exchange's connection serves the
// next request, so a read in flight is waited for (the engine's body
// timeout bounds it); an HTTP/2 stream is never reused and ends that read
// itself when the exchange returns.
func (b *h2cBody) end() {
	if b.mu.TryLock() {
		b.closed = true
		b.mu.Unlock()
		return
	}
	if b.x.Proto == pipeline.ProtoHTTP2 {
		go b.forbid()
		return
	}
	b.forbid()
}

// forbid waits for the read in flight, then forbids further reads.
func (b *h2cBody) forbid() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}

// Errors a watch cancels a stream with.
var errSilent = errors.New("the upstream sent nothing within read_timeout")

// watch cancels a stream whose upstream is silent longer than read, before
// its head or between two pieces of its body, or whose client left; it
// looks once a second.
type watch struct {
	ctx    context.Context
	x      *pipeline.Exchange
	body   *h2cBody
	read   time.Duration
	cancel context.CancelCauseFunc
	last   atomic.Int64 // when the upstream last sent something, in Unix ns
	timer  *time.Timer
	done   atomic.Bool
}

func startWatch(ctx context.Context, x *pipeline.Exchange, body *h2cBody, read time.Duration, cancel context.CancelCauseFunc) *watch {
	w := &watch{ctx: ctx, x: x, body: body, read: read, cancel: cancel}
	w.progress()
	w.timer = time.AfterFunc(min(time.Second, read), w.look)
	return w
}

// progress records that the upstream sent something.
func (w *watch) progress() { w.last.Store(time.Now().UnixNano()) }

func (w *watch) stop() {
	w.done.Store(true)
	w.timer.Stop()
}

func (w *watch) look() {
	if w.done.Load() {
		return
	}
	if w.x.Conn != nil && w.body.mu.TryLock() {
		gone := w.x.Conn.ClientGone()
		w.body.mu.Unlock()
		if gone {
			w.cancel(errClientGone)
			return
		}
	}
	idle := time.Since(time.Unix(0, w.last.Load()))
	if idle >= w.read {
		w.cancel(errSilent)
		return
	}
	w.timer.Reset(min(time.Second, w.read-idle))
}

// explain gives err the cause of the stream's cancellation: the client
// left (errClientGone), or the upstream was silent (a timeout, 504).
func (w *watch) explain(err error) error {
	switch cause := context.Cause(w.ctx); {
	case errors.Is(cause, errClientGone):
		return errClientGone
	case errors.Is(cause, errSilent):
		return fmt.Errorf("%w: %w", errSilent, context.DeadlineExceeded)
	}
	return err
}
