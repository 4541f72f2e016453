package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/charmbracelet/x/term"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/tui"
)

// needTerminal refuses --tui when stdout is not a terminal, before
// anything starts: a dashboard written into a file or a pipe helps no one.
func needTerminal(cmd string, stdout, stderr io.Writer) bool {
	if f, ok := stdout.(*os.File); ok && term.IsTerminal(f.Fd()) {
		return true
	}
	fmt.Fprintf(stderr, "mothership %s: the dashboard needs a terminal, and stdout is not one; run it in a terminal, or without --tui for the log\n", cmd)
	return false
}

// heldWriter drops what is written while held: the dashboard has the
// screen, and the log's lines are in its Logs tab instead.
type heldWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held bool
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return len(p), nil
	}
	return h.w.Write(p)
}

func (h *heldWriter) hold(on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = on
}

// dashboard is the dashboard of `run --tui` while it is up.
type dashboard struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// openDashboard shows the dashboard of src over the log, which it holds
// back from out until closeDashboard. Quitting it calls land, which
// lands the fleet as a signal would.
func openDashboard(src control.Source, out *heldWriter, land func(), log func(msg string, kv ...any)) *dashboard {
	ctx, cancel := context.WithCancel(context.Background())
	d := &dashboard{cancel: cancel, done: make(chan struct{})}
	out.hold(true)
	go func() {
		defer close(d.done)
		err := tui.Run(ctx, src, tui.Options{})
		out.hold(false)
		if err != nil {
			log("the dashboard failed", "error", err.Error())
		}
		land()
	}()
	return d
}

// close takes the dashboard off the screen and waits until the terminal
// is restored, so that what the landing logs is seen.
func (d *dashboard) close() {
	if d == nil {
		return
	}
	d.cancel()
	<-d.done
}
