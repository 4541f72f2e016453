package upstream

import (
	"strconv"

	"github.com/mothership-go/mothership/pipeline"
)

// send writes the request head, and the body, on c.
func (f *forward) send(x *pipeline.Exchange, c *Conn, body *requestBody) error {
	b := f.appendHead(c, x, body)
	if body.complete && len(b)+body.n <= cap(b) {
		b = append(b, body.bytes()...)
		c.wbuf = b
		// Written with the first read of the answer (readSome): one
		// system call less.
		c.wdl.Write(c.nc, c.clock, writeTimeout)
		c.unsent = b
		return nil
	}
	c.wbuf = b
	if err := c.writeAt(b, c.clock); err != nil {
		return err
	}
	return body.send(c)
}

// appendHead writes the request head as the package doc says.
func (f *forward) appendHead(c *Conn, x *pipeline.Exchange, body *requestBody) []byte {
	b := c.wbuf[:0]
	b = append(b, x.Method...)
	b = append(b, ' ')
	b = f.appendTarget(b, x)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, x.Host...)
	b = append(b, "\r\n"...)
	b = f.appendFields(b, x)
	c.obuf = f.policy.Owned(x, c.obuf, func(name string, value []byte) {
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	})
	for _, a := range f.policy.Add {
		b = appendField(b, a.Name, a.Value)
	}
	switch {
	case body.complete && (body.n > 0 || x.Header.Has("Content-Length")):
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(body.n), 10)
		b = append(b, "\r\n"...)
	case !body.complete && x.ContentLength > 0:
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, x.ContentLength, 10)
		b = append(b, "\r\n"...)
	case !body.complete:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	return append(b, "\r\n"...)
}

// appendTarget appends the request target sent upstream: the client's,
// or its path edited by the route and its query.
func (f *forward) appendTarget(b []byte, x *pipeline.Exchange) []byte {
	if f.edit.None() || x.RawPath == "" {
		return append(b, x.Target...)
	}
	b = f.edit.AppendPath(b, x.RawPath)
	if x.RawQuery != "" {
		b = append(b, '?')
		b = append(b, x.RawQuery...)
	}
	return b
}

// appendFields appends the client's fields that the header policy
// passes (internal/fieldpolicy).
func (f *forward) appendFields(b []byte, x *pipeline.Exchange) []byte {
	for _, fl := range x.Header.Fields() {
		if f.policy.Passes(x, fl.Name) {
			b = appendField(b, fl.Name, fl.Value)
		}
	}
	return b
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}
