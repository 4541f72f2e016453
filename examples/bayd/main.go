// Command bayd is the reference bay: a small program that speaks the
// docking protocol the way the bays Mothership was built for do, so that
// bay authors have one readable implementation to copy from and Mothership
// has a peer to be tested against. README.md walks through the
// conversation.
//
// It serves one family, chosen by MS_BAY_TYPE: "websocket" (v1, WebSocket
// clients multiplexed over one link, see websocket.go) or "http" (v3, one
// request at a time on each of MS_BAY_THREADS links, see http.go).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bayd:", err)
		os.Exit(2)
	}
	// Bays log JSON lines on stdout, which Mothership passes through.
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil)).With("ship", cfg.ship)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, cfg, log); err != nil {
		log.Error("bay failed", "err", err)
		os.Exit(1)
	}
}

// run serves the bay's socket until ctx ends, then drains and removes it.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	ln, err := listen(cfg.socket)
	if err != nil {
		return err
	}
	defer os.Remove(cfg.socket)
	log.Info("listening", "socket", cfg.socket, "type", cfg.bayType, "threads", cfg.threads)
	switch cfg.bayType {
	case bayWebSocket:
		err = serveWebSocket(ctx, ln, cfg, log)
	default:
		err = serveHTTP(ctx, ln, cfg, log)
	}
	log.Info("stopped")
	return err
}
