package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/mothership-go/mothership/docking"
)

// serveWebSocket is the v1 family: Mothership opens one link, and every
// client WebSocket routed to the bay travels over it. The WebSocket bay
// exits when its link closes; bayd instead waits for the next one, so that
// a Mothership that reconnects finds it still there.
func serveWebSocket(ctx context.Context, ln net.Listener, cfg config, log *slog.Logger) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		closeOnStop := context.AfterFunc(ctx, func() { conn.Close() })
		err = serveClients(conn, cfg, log)
		closeOnStop()
		conn.Close()
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			log.Warn("link failed", "err", err)
		default:
			log.Info("link closed")
		}
	}
}

// welcome is the first message each client gets, showing that the bay
// speaks first on a connection just as it can at any time.
type welcome struct {
	Type string `json:"type"`
	Conn uint32 `json:"conn"`
	Path string `json:"path"`
	// Headers are the Boarding's, so that a client sees what reached the
	// bay.
	Headers map[string]string `json:"headers"`
}

// serveClients docks one link and serves its clients: each gets a welcome,
// each message is echoed to its sender (a binary one as binary: bayd docks
// saying it takes Freight), and the message "close" makes the bay end that
// client with code 4000.
func serveClients(conn net.Conn, cfg config, log *slog.Logger) error {
	r, w := docking.NewReader(conn), docking.NewWriter(conn)
	m, err := docking.BayHandshake(r, w, docking.Dock{Version: docking.VersionWebSocket, Ship: cfg.ship, PID: os.Getpid(), Binary: true})
	if err != nil {
		return err
	}
	log.Info("docked", "version", m.Version, "config", m.Config, "binary", m.Binary)
	c := &clients{w: w, log: log, paths: map[uint32]string{}}
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err == nil {
			err = c.handle(f)
		}
		// Answers wait until every frame already received is handled, so
		// that a burst is answered in one write.
		if err == nil && r.Buffered() == 0 {
			err = w.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// clients are the client connections on one link.
type clients struct {
	w     *docking.Writer
	log   *slog.Logger
	paths map[uint32]string // by conn id
}

// handle answers one frame from Mothership.
func (c *clients) handle(f docking.Frame) error {
	switch f.Type {
	case docking.TypeBoarding:
		var b docking.Boarding
		if err := b.Decode(f.Payload); err != nil {
			return err
		}
		c.paths[b.ConnID] = b.Path
		c.log.Info("client boarded", "conn", b.ConnID, "path", b.Path, "remote_addr", b.RemoteAddr)
		hello, err := json.Marshal(welcome{Type: "welcome", Conn: b.ConnID, Path: b.Path, Headers: b.Headers})
		if err != nil {
			return err
		}
		return c.w.WriteCargo(b.ConnID, hello)
	case docking.TypeCargo, docking.TypeFreight:
		return c.echo(f)
	case docking.TypeDisembark:
		var d docking.Disembark
		if err := d.Decode(f.Payload); err != nil {
			return err
		}
		if _, ok := c.paths[d.ConnID]; !ok {
			c.log.Warn("disembark of an unknown client, ignored", "conn", d.ConnID)
			return nil
		}
		delete(c.paths, d.ConnID)
		c.log.Info("client left", "conn", d.ConnID, "code", d.Code, "reason", d.Reason)
		return nil
	}
	return fmt.Errorf("%s on a websocket link", f.Type)
}

// echo sends a client's message back as it came, text or binary; "close"
// ends the client instead.
func (c *clients) echo(f docking.Frame) error {
	var msg docking.Cargo
	decode, write := msg.Decode, c.w.WriteCargo
	if f.Type == docking.TypeFreight {
		decode, write = msg.DecodeFreight, c.w.WriteFreight
	}
	if err := decode(f.Payload); err != nil {
		return err
	}
	if _, ok := c.paths[msg.ConnID]; !ok {
		c.log.Warn("cargo for an unknown client, ignored", "conn", msg.ConnID)
		return nil
	}
	if f.Type == docking.TypeCargo && string(msg.Data) == "close" {
		delete(c.paths, msg.ConnID)
		return c.w.WriteDisembark(docking.Disembark{ConnID: msg.ConnID, Code: 4000, Reason: "bye"})
	}
	return write(msg.ConnID, msg.Data)
}
