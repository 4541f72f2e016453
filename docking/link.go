package docking

import (
	"context"
	"fmt"
	"net"
	"time"
)

// Link is a docked connection to a bay, ready for its family's traffic.
type Link struct {
	Conn net.Conn
	R    *Reader
	W    *Writer
	// Dock is what the bay sent when it docked.
	Dock Dock
}

// Dial connects to the bay listening on the Unix socket at path and runs
// Handshake on the new link; ctx bounds both. It tries once: waiting for a
// booting bay's socket to appear is the caller's, who knows its boot
// timeout.
func Dial(ctx context.Context, path string, version int, config map[string]string) (*Link, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("docking: dial: %w", err)
	}
	l := &Link{Conn: conn, R: NewReader(conn), W: NewWriter(conn)}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// A cancelled ctx must also end a handshake blocked on a silent bay.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	l.Dock, err = Handshake(l.R, l.W, version, config)
	if !stop() || ctx.Err() != nil {
		err = fmt.Errorf("docking: handshake on %s: %w", path, context.Cause(ctx))
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return l, nil
}

// Close closes the link.
func (l *Link) Close() error { return l.Conn.Close() }
