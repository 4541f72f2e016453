package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// httpBay is the v3 family: up to cfg.threads links at once, each docked on
// its own and serving one request at a time for its lifetime. Links beyond
// that wait in the listen backlog, undocked, until a link closes.
type httpBay struct {
	cfg  config
	log  *slog.Logger
	file string // the file /file answers with
	// late ends when the drain times out, so that a handler still
	// sleeping gives up instead of holding the exit.
	late       context.Context
	lateCancel context.CancelFunc

	mu       sync.Mutex
	links    map[*link]bool // each open link, true while it serves a request
	draining bool
	wg       sync.WaitGroup
}

// link is one connection from Mothership.
type link struct {
	conn net.Conn
	r    *docking.Reader
	w    *docking.Writer
	hail docking.Hail // reused for each request's head
}

func serveHTTP(ctx context.Context, ln net.Listener, cfg config, log *slog.Logger) error {
	file, err := writeReplyFile()
	if err != nil {
		return err
	}
	defer os.RemoveAll(file.dir)
	b := &httpBay{cfg: cfg, log: log, file: file.path, links: map[*link]bool{}}
	b.late, b.lateCancel = context.WithCancel(context.Background())
	defer b.lateCancel()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	slots := make(chan struct{}, cfg.threads)
	for {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return b.drain()
		}
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return b.drain()
			}
			return fmt.Errorf("accept: %w", err)
		}
		b.wg.Go(func() {
			defer func() { <-slots }()
			b.serveLink(conn)
		})
	}
}

// serveLink docks a link and serves its requests until it closes, fails,
// turns into a tunnel that ends, or the bay drains.
func (b *httpBay) serveLink(conn net.Conn) {
	defer conn.Close()
	l := &link{conn: conn, r: docking.NewReader(conn), w: docking.NewWriter(conn)}
	if !b.open(l) {
		return
	}
	defer b.closed(l)
	dock := docking.Dock{Version: docking.VersionHTTP, Ship: b.cfg.ship, PID: os.Getpid(), Threads: b.cfg.threads}
	if _, err := docking.BayHandshake(l.r, l.w, dock); err != nil {
		b.linkDone(err)
		return
	}
	for b.idle(l) {
		f, err := l.r.Next()
		if err != nil {
			b.linkDone(err)
			return
		}
		b.busy(l)
		req, err := readRequest(l, f)
		if err != nil {
			b.log.Warn("protocol error, closing the link", "err", err)
			return
		}
		tunnel, err := b.respond(l, req)
		if err != nil {
			b.log.Warn("response failed, closing the link", "path", req.path, "err", err)
			return
		}
		if tunnel {
			return // a tunnel's link closes when the tunnel ends
		}
	}
}

// linkDone logs why a link stopped outside a request.
func (b *httpBay) linkDone(err error) {
	var timeout net.Error
	switch {
	case errors.Is(err, io.EOF):
		b.log.Info("link closed by Mothership")
	case errors.As(err, &timeout) && timeout.Timeout():
		b.log.Info("idle link closed for the drain")
	default:
		b.log.Warn("link failed", "err", err)
	}
}

// open registers a new link, unless the bay is draining.
func (b *httpBay) open(l *link) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return false
	}
	b.links[l] = false
	return true
}

func (b *httpBay) closed(l *link) {
	b.mu.Lock()
	delete(b.links, l)
	b.mu.Unlock()
}

// idle marks l as waiting for a Hail, and reports false when the bay is
// draining, so that a link closes after its last reply.
func (b *httpBay) idle(l *link) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.links[l] = false
	return !b.draining
}

// busy marks l as serving a request. A drain that began while the Hail was
// arriving set a deadline to wake the idle link; the request that came
// after all is served in full, so the deadline goes.
func (b *httpBay) busy(l *link) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.links[l] = true
	l.conn.SetReadDeadline(time.Time{})
}

// drain is the TERM sequence: accept no more (the listener is closed),
// wake idle links so that they close, give in-flight requests cfg.drain to
// finish, then close whatever is left.
func (b *httpBay) drain() error {
	b.mu.Lock()
	b.draining = true
	idle, busy := 0, 0
	for l, serving := range b.links {
		if serving {
			busy++
			continue
		}
		idle++
		l.conn.SetReadDeadline(time.Now())
	}
	b.mu.Unlock()
	b.log.Info("draining", "idle_links", idle, "busy_links", busy, "timeout", b.cfg.drain.String())
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(b.cfg.drain):
	}
	b.lateCancel()
	b.mu.Lock()
	b.log.Warn("drain timed out, closing links", "links", len(b.links))
	for l := range b.links {
		l.conn.Close()
	}
	b.mu.Unlock()
	<-done
	return nil
}
