package bays

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// fakeConn is the engine's side of an exchange under test: Hijack hands
// over the server end of a loopback connection once a 101 was written,
// and the client end is the test's.
type fakeConn struct {
	rec      *pipelinetest.Recorder
	server   net.Conn
	client   net.Conn
	gone     atomic.Bool
	aborted  atomic.Bool
	hijacked chan struct{} // closed by Hijack
}

func (c *fakeConn) Context() context.Context { return context.Background() }
func (c *fakeConn) ClientGone() bool         { return c.gone.Load() }
func (c *fakeConn) Abort()                   { c.aborted.Store(true) }

func (c *fakeConn) Hijack() (net.Conn, error) {
	if c.rec.Code != 101 {
		return nil, errors.New("hijack before a 101")
	}
	close(c.hijacked)
	return c.server, nil
}

// newExchange is a request as the engine would hand it over: target is
// the origin-form target, fields name/value pairs in wire order.
func newExchange(t *testing.T, method, target, body string, fields ...string) (*pipeline.Exchange, *fakeConn) {
	t.Helper()
	rec := &pipelinetest.Recorder{}
	server, client := socketPair(t)
	conn := &fakeConn{rec: rec, server: server, client: client, hijacked: make(chan struct{})}
	x := &pipeline.Exchange{
		Method: method, Target: target, Host: "app.test", Proto: "HTTP/1.1", ProtoMinor: 1, Scheme: "http",
		Peer: netip.MustParseAddrPort("203.0.113.9:4711"), PeerIP: "203.0.113.9", Client: netip.MustParseAddr("203.0.113.9"),
		Body: strings.NewReader(body), ContentLength: int64(len(body)), Response: rec, Conn: conn,
	}
	x.SetFingerprinter(new(ja4h.Fingerprinter))
	x.RawPath, x.RawQuery, _ = strings.Cut(target, "?")
	x.Path = x.RawPath
	for i := 0; i+1 < len(fields); i += 2 {
		x.Header.Add(fields[i], fields[i+1])
		switch strings.ToLower(fields[i]) {
		case "host":
			x.Host = fields[i+1]
		case "upgrade":
			x.Upgrade = fields[i+1]
		}
	}
	return x, conn
}

// socketPair is both ends of a loopback TCP connection: unlike net.Pipe,
// each direction buffers, as a client's connection does.
func socketPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// shortDir is a directory short enough for a socket path.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bays")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// serveBay listens on a socket and serves each link that docks with dock
// through serve, until the test ends.
func serveBay(t *testing.T, dock docking.Dock, serve func(r *docking.Reader, w *docking.Writer)) string {
	t.Helper()
	socket := filepath.Join(shortDir(t), "bay.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r, w := docking.NewReader(c), docking.NewWriter(c)
				if _, err := docking.BayHandshake(r, w, dock); err == nil {
					serve(r, w)
				}
			}()
		}
	}()
	return socket
}

// reply is what a fake HTTP bay answers a Hail with.
type reply struct {
	docking.Reply
	body  string        // Hauled after a stream Reply
	delay time.Duration // before the Reply
}

// httpBayAt docks a fake HTTP bay (one link) that answers each Hail and
// its body with answer, and returns its berth.
func httpBayAt(t *testing.T, answer func(h *docking.Hail, body []byte) reply) *docking.Berth {
	t.Helper()
	socket := serveBay(t, docking.Dock{Version: docking.VersionHTTP, Ship: "rack", PID: 4242, Threads: 1}, func(r *docking.Reader, w *docking.Writer) {
		for {
			h, body, err := readRequest(r)
			if err != nil {
				return
			}
			rp := answer(h, body)
			time.Sleep(rp.delay)
			rp.RequestID = h.RequestID
			w.WriteReply(&rp.Reply)
			if rp.Kind == docking.ReplyStream {
				if rp.body != "" {
					w.WriteHaul(h.RequestID, false, []byte(rp.body))
				}
				w.WriteHaul(h.RequestID, true, nil)
			}
			w.WriteReady(h.RequestID)
			if w.Flush() != nil {
				return
			}
		}
	})
	return dock(t, docking.VersionHTTP, socket)
}

// readRequest reads a Hail and the Hauls of its body.
func readRequest(r *docking.Reader) (*docking.Hail, []byte, error) {
	f, err := r.Next()
	if err != nil {
		return nil, nil, err
	}
	h := new(docking.Hail)
	if err := f.Expect(docking.TypeHail); err != nil {
		return nil, nil, err
	}
	if err := h.Decode(f.Payload); err != nil {
		return nil, nil, err
	}
	for i, p := range h.Params { // they alias the reader's buffer
		h.Params[i] = docking.Pair{Name: bytes.Clone(p.Name), Value: bytes.Clone(p.Value)}
	}
	var body []byte
	for uint64(len(body)) < h.ContentLength {
		f, err := r.Next()
		if err != nil {
			return nil, nil, err
		}
		var hl docking.Haul
		if err := hl.Decode(f.Payload); err != nil {
			return nil, nil, err
		}
		body = append(body, hl.Data...)
	}
	return h, body, nil
}

// dock docks the bay on socket at a new berth.
func dock(t *testing.T, version int, socket string) *docking.Berth {
	t.Helper()
	b := docking.NewBerth(docking.BerthConfig{Name: "rack", Version: version})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Dock(ctx, socket, 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Undock(socket) })
	return b
}

// discard is an error log nobody reads.
var discard = log.New(io.Discard, "", 0)

// errorsAs is errors.As, for tests that read better without the import
// clash of a local err.
func errorsAs(err error, target any) bool { return errors.As(err, target) }
