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
}

// serveClients docks one link and serves its clients: each gets a welcome,
// each message is echoed to its sender, and the message "close" makes the
// bay end that client with code 4000.
func serveClients(conn net.Conn, cfg config, log *slog.Logger) error {
	r, w := docking.NewReader(conn), docking.NewWriter(conn)
	m, err := docking.BayHandshake(r, w, docking.Dock{Version: docking.VersionWebSocket, Ship: cfg.ship, PID: os.Getpid()})
	if err != nil {
		return err
	}
	log.Info("docked", "version", m.Version, "config", m.Config)
	paths := map[uint32]string{} // the clients on the link, by conn id
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch f.Type {
		case docking.TypeBoarding:
			var b docking.Boarding
			if err := b.Decode(f.Payload); err != nil {
				return err
			}
			paths[b.ConnID] = b.Path
			log.Info("client boarded", "conn", b.ConnID, "path", b.Path, "remote_addr", b.RemoteAddr)
			hello, err := json.Marshal(welcome{Type: "welcome", Conn: b.ConnID, Path: b.Path})
			if err != nil {
				return err
			}
			err = w.WriteCargo(b.ConnID, hello)
		case docking.TypeCargo:
			var c docking.Cargo
			if err := c.Decode(f.Payload); err != nil {
				return err
			}
			if _, ok := paths[c.ConnID]; !ok {
				log.Warn("cargo for an unknown client, ignored", "conn", c.ConnID)
				continue
			}
			if string(c.Data) == "close" {
				delete(paths, c.ConnID)
				err = w.WriteDisembark(docking.Disembark{ConnID: c.ConnID, Code: 4000, Reason: "bye"})
			} else {
				err = w.WriteCargo(c.ConnID, c.Data)
			}
		case docking.TypeDisembark:
			var d docking.Disembark
			if err := d.Decode(f.Payload); err != nil {
				return err
			}
			if _, ok := paths[d.ConnID]; !ok {
				log.Warn("disembark of an unknown client, ignored", "conn", d.ConnID)
				continue
			}
			delete(paths, d.ConnID)
			log.Info("client left", "conn", d.ConnID, "code", d.Code, "reason", d.Reason)
		default:
			return fmt.Errorf("%s on a websocket link", f.Type)
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
