package fuzz

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mothership-go/mothership/engine"
	"github.com/mothership-go/mothership/manifest"
)

// proxySeeds are connection openings: PROXY v1 and v2 headers of every
// kind, broken ones, and plain requests.
var proxySeeds = [][]byte{
	[]byte("PROXY TCP4 198.51.100.9 127.0.0.1 5555 80\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	[]byte("PROXY TCP6 2001:db8::1 ::1 5555 443\r\n"),
	[]byte("PROXY UNKNOWN\r\n"),
	[]byte("PROXY TCP4 198.51.100.9 127.0.0.1 5555\r\n"),
	[]byte("PROXY TCP4 999.1.1.1 127.0.0.1 5555 80\r\n"),
	[]byte("PROXY " + string(bytes.Repeat([]byte("A"), 200)) + "\r\n"),
	[]byte("PROX"),
	append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c"), 203, 0, 113, 7, 127, 0, 0, 1, 0x30, 0x39, 0, 80),
	append([]byte("\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00"), "GET / HTTP/1.1\r\n\r\n"...),                                         // LOCAL
	append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x21\x00\x24"), bytes.Repeat([]byte{1}, 36)...),                                      // IPv6
	append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x13"), append(bytes.Repeat([]byte{1}, 12), 4, 0, 4, 'a', 'b', 'c', 'd')...), // TLV
	[]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\xff\xff"),
	[]byte("\r\n\r\n\x00\r\n"),
	[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	{},
}

// oneConn is a listener that accepts one connection.
type oneConn struct{ c net.Conn }

func (l *oneConn) Accept() (net.Conn, error) {
	if l.c == nil {
		return nil, errors.New("one connection only")
	}
	c := l.c
	l.c = nil
	return c, nil
}

func (l *oneConn) Close() error   { return nil }
func (l *oneConn) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

// FuzzProxyHeader opens a connection with arbitrary bytes on a listener
// with the PROXY protocol on. Accepting it and reading it to the end must
// neither panic nor hang, and a connection that cannot be a PROXY header
// (its first byte opens neither signature) must read exactly as sent.
func FuzzProxyHeader(f *testing.F) {
	for _, s := range proxySeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		client, server := net.Pipe()
		l := engine.WrapProxyProtocol(&oneConn{c: server}, engine.DefaultReadHeaderTimeout, manifest.ProxyProtocol{Enabled: true})
		go func() {
			client.Write(data)
			client.Close()
		}()
		type result struct {
			read []byte
			err  error
		}
		done := make(chan result, 1)
		go func() {
			c, err := l.Accept()
			if err != nil {
				done <- result{err: err}
				return
			}
			defer c.Close() // also unblocks the writer when the header was refused
			_ = c.RemoteAddr()
			b, err := io.ReadAll(c)
			done <- result{b, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("the accept path did not return within 5s for %q", data)
		}
		if len(data) > 0 && data[0] != 'P' && data[0] != '\r' {
			if r.err != nil || !bytes.Equal(r.read, data) {
				t.Fatalf("a plain connection was not passed through: read %q (%v), sent %q", r.read, r.err, data)
			}
		}
	})
}
