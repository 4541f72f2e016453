package upstream

import (
	"errors"
	"io"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// errShortResponse is a response body that ended before its length.
var errShortResponse = errors.New("the upstream closed before the end of the response body")

// relay sends the final response to the client: its head, then its body
// as the upstream framed it. Once the head is out, a failure cuts the
// client connection.
func (f *forward) relay(x *pipeline.Exchange, c *Conn) error {
	resp := &c.resp
	copyFields(x.Response.Header(), &resp.Header, false, resp.Chunked)
	c.keepAlive = resp.KeepAliveTimeout
	noBody := resp.NoBody(x.Method)
	x.Response.WriteHeader(resp.Status)
	x.AtEnd(c) // the response fields point into c's buffer
	var err error
	switch {
	case noBody:
	case resp.Chunked:
		err = f.relayChunked(x, c)
	case resp.ContentLength >= 0:
		err = f.relayLength(x, c, resp.ContentLength)
	default:
		err = f.relayToClose(x, c)
	}
	if err != nil {
		f.errorLog.Printf("upstream: %s: response from %s cut: %v", f.name, c.pool.Addr(), badResponse(err))
		x.Conn.Abort()
		return nil
	}
	c.reusable = !resp.Close && (noBody || resp.Chunked || resp.ContentLength >= 0) && c.pos == c.w
	c.clean = c.reusable && !noBody && x.ContentLength == 0
	return nil
}

// relayLength relays a body of n bytes.
func (f *forward) relayLength(x *pipeline.Exchange, c *Conn, n int64) error {
	for n > 0 {
		if c.pos == c.w {
			if err := f.more(x, c); err != nil {
				if errors.Is(err, io.EOF) {
					return errShortResponse
				}
				return err
			}
		}
		p := c.rbuf[c.pos:c.w]
		if int64(len(p)) > n {
			p = p[:n]
		}
		c.pos += len(p)
		n -= int64(len(p))
		if _, err := x.Response.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// relayChunked decodes a chunked body and hands its data on; the engine
// frames it again for the client.
func (f *forward) relayChunked(x *pipeline.Exchange, c *Conn) error {
	c.dec.Reset()
	for {
		if c.pos == c.w {
			if err := f.more(x, c); err != nil {
				if errors.Is(err, io.EOF) {
					return errShortResponse
				}
				return err
			}
		}
		used, data, done, err := c.dec.Decode(c.rbuf[c.pos:c.w])
		if err != nil {
			return err
		}
		c.pos += used
		if len(data) > 0 {
			if _, err := x.Response.Write(data); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}

// relayToClose relays a body that ends when the upstream closes.
func (f *forward) relayToClose(x *pipeline.Exchange, c *Conn) error {
	for {
		if c.pos < c.w {
			if _, err := x.Response.Write(c.rbuf[c.pos:c.w]); err != nil {
				return err
			}
			c.pos = c.w
		}
		if err := f.more(x, c); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// more flushes what the client has been given so far, since the wait for
// the upstream may be long (server-sent events, a slow generator), then
// reads more of the body.
func (f *forward) more(x *pipeline.Exchange, c *Conn) error {
	if err := x.Response.Flush(); err != nil {
		return err
	}
	return c.more(f.read)
}

// more reads more of a response body into the buffer after the head,
// dropping the body bytes already relayed.
func (c *Conn) more(timeout time.Duration) error {
	c.pos, c.w = c.head, c.head
	if len(c.rbuf)-c.head < bodyRoom {
		c.grow(bodyRoom)
	}
	c.rdl.Read(c.nc, c.tick(), timeout)
	n, err := c.nc.Read(c.rbuf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}
