package bays

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

var (
	// errTimeout is the cause of a request that outlived request_timeout.
	errTimeout = errors.New("request_timeout passed")
	// errClientGone is the cause of a request whose client left.
	errClientGone = errors.New("the client left")
)

// watcher cancels a request's context when request_timeout passes or the
// client leaves, which it asks the engine about every second: the link's
// reads block, and nothing else would notice either while the bay works.
type watcher struct {
	mu       sync.Mutex // orders the engine calls after the request's own
	t        *time.Timer
	conn     pipeline.Conn
	deadline time.Time
	cancel   context.CancelCauseFunc
	done     bool
}

// watchEvery is how often a waiting request asks whether its client left.
const watchEvery = time.Second

// watch starts watching; stop ends it before the request touches the
// connection again.
func watch(ctx context.Context, cancel context.CancelCauseFunc, conn pipeline.Conn, timeout time.Duration) *watcher {
	w := &watcher{conn: conn, deadline: time.Now().Add(timeout), cancel: cancel}
	w.mu.Lock()
	w.t = time.AfterFunc(min(watchEvery, timeout), w.tick)
	w.mu.Unlock()
	return w
}

func (w *watcher) tick() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return
	}
	now := time.Now()
	switch {
	case !now.Before(w.deadline):
		w.cancel(errTimeout)
	case w.conn != nil && w.conn.ClientGone():
		w.cancel(errClientGone)
	default:
		w.t.Reset(min(watchEvery, w.deadline.Sub(now)))
		return
	}
	w.done = true
}

// stop ends the watch; once it returns, the watcher neither cancels nor
// asks the engine anything.
func (w *watcher) stop() {
	w.mu.Lock()
	w.done = true
	w.t.Stop()
	w.mu.Unlock()
}
