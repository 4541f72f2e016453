package upstream

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// tunnel relays a 101 and then copies bytes both ways until both sides
// finished. The upstream connection is never pooled again.
func (f *forward) tunnel(x *pipeline.Exchange, c *Conn) error {
	copyFields(x.Response.Header(), &c.resp.Header, true, false)
	x.Response.WriteHeader(101)
	client, err := x.Conn.Hijack()
	if err != nil {
		f.errorLog.Printf("upstream: %s: upgrade: %v", f.name, err)
		c.close()
		return nil
	}
	c.nc.SetDeadline(time.Time{})
	if c.pos < c.w {
		if _, err := client.Write(c.rbuf[c.pos:c.w]); err != nil {
			client.Close()
			c.close()
			return nil
		}
	}
	done := make(chan struct{})
	go func() {
		pipe(c.nc, client)
		close(done)
	}()
	pipe(client, c.nc)
	<-done
	client.Close()
	c.close()
	return nil
}

// pipe copies src to dst until src ends, then half-closes dst so that its
// peer sees the end too. On an error (not an end) both are closed, which
// also ends the copy the other way.
func pipe(dst, src net.Conn) {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	_, err := io.CopyBuffer(writerOnly{dst}, readerOnly{src}, buf[:])
	if err != nil && !errors.Is(err, net.ErrClosed) {
		dst.Close()
		src.Close()
		return
	}
	if cw, ok := dst.(interface{ CloseWrite() error }); ok {
		if cw.CloseWrite() == nil {
			return
		}
	}
	dst.Close()
}

// readerOnly and writerOnly hide ReadFrom/WriteTo, so that CopyBuffer uses
// the pooled buffer.
type readerOnly struct{ io.Reader }
type writerOnly struct{ io.Writer }
