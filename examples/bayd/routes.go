package main

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// The longest waits a request can ask for, so that a stray query cannot
// hold a link for hours.
const (
	maxSleep  = time.Minute
	maxChunks = 10_000
)

// respond answers req by its PATH_INFO. It reports whether the link has
// become a tunnel, after which it must close.
func (b *httpBay) respond(l *link, req *request) (tunnel bool, err error) {
	q, _ := url.ParseQuery(req.query)
	text := headers("content-type", "text/plain; charset=utf-8")
	if req.tooLarge {
		return false, reply(l, req, 413, text, fmt.Appendf(nil, "body of %d bytes is over %d\n", req.bodyLen, maxBody))
	}
	switch req.path {
	case "/echo":
		h := headers("content-type", cmp.Or(req.contentType, "application/octet-stream"), "x-body-length", strconv.Itoa(len(req.body)))
		return false, reply(l, req, 200, h, req.body)
	case "/hello":
		return false, reply(l, req, 200, text, []byte("hello from "+b.cfg.ship))
	case "/empty":
		return false, replyHead(l, req, &docking.Reply{RequestID: req.id, Status: 204, Kind: docking.ReplyEmpty})
	case "/file":
		return false, replyHead(l, req, &docking.Reply{RequestID: req.id, Status: 200, Kind: docking.ReplyFile, Headers: text, Path: []byte(b.file)})
	case "/stream":
		return false, b.stream(l, req, min(intParam(q, "n", 3), maxChunks))
	case "/sleep":
		d := min(time.Duration(intParam(q, "ms", 0))*time.Millisecond, maxSleep)
		if !b.sleep(d) {
			return false, fmt.Errorf("drain timed out during /sleep")
		}
		return false, reply(l, req, 200, text, fmt.Appendf(nil, "slept %d ms\n", d.Milliseconds()))
	case "/params":
		return false, reply(l, req, 200, text, req.params)
	case "/pid":
		return false, reply(l, req, 200, text, strconv.AppendInt(nil, int64(os.Getpid()), 10))
	case "/ws":
		if !strings.EqualFold(req.upgrade, "websocket") || req.websocketKey == "" {
			return false, reply(l, req, 426, append(text, headers("upgrade", "websocket")...), []byte("/ws needs a WebSocket upgrade\n"))
		}
		return true, b.tunnel(l, req)
	}
	return false, reply(l, req, 404, text, []byte("not found\n"))
}

// reply sends a whole response: Reply, the body as Hauls and the empty FIN
// in one write, then Ready in another (the order the HTTP bay writes in).
// A HEAD request gets the head alone, as kind empty.
func reply(l *link, req *request, status uint16, h []docking.Pair, body []byte) error {
	if req.method == "HEAD" {
		return replyHead(l, req, &docking.Reply{RequestID: req.id, Status: status, Kind: docking.ReplyEmpty, Headers: h})
	}
	if err := l.w.WriteReply(&docking.Reply{RequestID: req.id, Status: status, Kind: docking.ReplyStream, Headers: h}); err != nil {
		return err
	}
	if err := l.w.WriteHaul(req.id, true, body); err != nil {
		return err
	}
	return ready(l, req)
}

// replyHead sends a Reply of kind empty or file, which has no Hauls, then
// Ready.
func replyHead(l *link, req *request, r *docking.Reply) error {
	if err := l.w.WriteReply(r); err != nil {
		return err
	}
	return ready(l, req)
}

// ready ends a response: what is buffered goes out, then Ready, which frees
// the link for the next Hail.
func ready(l *link, req *request) error {
	if err := l.w.Flush(); err != nil {
		return err
	}
	if err := l.w.WriteReady(req.id); err != nil {
		return err
	}
	return l.w.Flush()
}

// stream sends n chunks "chunk i\n", each flushed on its own with a pause
// between, so that a client can watch a response arrive in parts.
func (b *httpBay) stream(l *link, req *request, n int) error {
	r := &docking.Reply{RequestID: req.id, Status: 200, Kind: docking.ReplyStream, Headers: headers("content-type", "text/plain; charset=utf-8")}
	if err := l.w.WriteReply(r); err != nil {
		return err
	}
	for i := range n {
		if err := l.w.WriteHaul(req.id, false, fmt.Appendf(nil, "chunk %d\n", i)); err != nil {
			return err
		}
		if err := l.w.Flush(); err != nil {
			return err
		}
		if !b.sleep(20 * time.Millisecond) {
			return fmt.Errorf("drain timed out during /stream")
		}
	}
	if err := l.w.WriteHaul(req.id, true, nil); err != nil {
		return err
	}
	return ready(l, req)
}

// sleep waits d, or less when the drain times out, which it reports false.
func (b *httpBay) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.late.Done():
		return false
	}
}

// headers makes reply headers from names and values, in turn.
func headers(kv ...string) []docking.Pair {
	h := make([]docking.Pair, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, docking.Pair{Name: []byte(kv[i]), Value: []byte(kv[i+1])})
	}
	return h
}

// intParam returns the query parameter name as a non-negative number, or
// def when it is missing or not one.
func intParam(q url.Values, name string, def int) int {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 0 {
		return def
	}
	return n
}

// replyFile is the file /file answers with, written at startup.
type replyFile struct{ dir, path string }

func writeReplyFile() (replyFile, error) {
	dir, err := os.MkdirTemp("", "bayd")
	if err != nil {
		return replyFile{}, fmt.Errorf("reply file: %w", err)
	}
	f := replyFile{dir: dir, path: filepath.Join(dir, "reply.txt")}
	if err := os.WriteFile(f.path, []byte("file reply\n"), 0o644); err != nil {
		os.RemoveAll(dir)
		return replyFile{}, fmt.Errorf("reply file: %w", err)
	}
	return f, nil
}
