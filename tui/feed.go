package tui

import (
	"context"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/mothership-go/mothership/control"
	"github.com/mothership-go/mothership/telemetry"
)

// redrawEvery is the most often new log lines reach the screen: a chatty
// ship costs a redraw per batch, not per line.
const redrawEvery = 100 * time.Millisecond

// maxPending bounds the lines waiting for the next batch, should the
// screen fall behind; the rings would drop older ones anyway.
const maxPending = 4 * control.KeepLines

// feed follows the log of a Source and hands it to the model in batches.
type feed struct {
	mu      sync.Mutex
	pending []telemetry.Entry
	ready   chan struct{} // signalled when pending gets a line
	done    chan struct{} // closed when the follow ends
	err     error         // why it ended; set before done closes
}

// logsEndedMsg says the log follow ended, and why.
type logsEndedMsg struct{ err error }

// follow starts following src's log, every process's, kept lines first.
func follow(ctx context.Context, src control.Source) *feed {
	f := &feed{ready: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		f.err = src.Logs(ctx, control.LogQuery{Tail: -1, Follow: true}, f.add)
		close(f.done)
	}()
	return f
}

func (f *feed) add(e telemetry.Entry) error {
	f.mu.Lock()
	f.pending = append(f.pending, e)
	if len(f.pending) > maxPending {
		f.pending = append(f.pending[:0], f.pending[len(f.pending)-maxPending/2:]...)
	}
	f.mu.Unlock()
	select {
	case f.ready <- struct{}{}:
	default:
	}
	return nil
}

// wait is a command that returns the next batch of lines, at most one
// batch per redrawEvery, or logsEndedMsg once the follow ended.
func (f *feed) wait() tea.Msg {
	for {
		ended := false
		select {
		case <-f.ready:
			time.Sleep(redrawEvery)
		case <-f.done:
			ended = true
		}
		f.mu.Lock()
		batch := f.pending
		f.pending = nil
		f.mu.Unlock()
		switch {
		case len(batch) > 0:
			return logsMsg(batch)
		case ended:
			return logsEndedMsg{f.err}
		}
		// A signal for lines the last batch already took.
	}
}

// Run shows the dashboard of src on the terminal until q or Ctrl-C, or
// until ctx ends; it leaves signals to the caller.
func Run(ctx context.Context, src control.Source, opts Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(ctx, src, opts)
	m.feed = follow(ctx, src)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithoutSignalHandler(), tea.WithFPS(30))
	_, err := p.Run()
	if ctx.Err() != nil {
		return nil
	}
	return err
}
