package control

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/internal/ring"
	"github.com/mothership-go/mothership/telemetry"
)

// KeepLines is how many log lines a Hub keeps per process.
const KeepLines = 10000

// followBuffer is how many lines a follower may fall behind before lines
// are dropped for it; the log must never wait for a reader.
const followBuffer = 4096

// Hub keeps the recent log of every process and hands new lines to the
// readers following it. Add is its only writer: give it to
// telemetry.Log.SetTap.
type Hub struct {
	keep int

	mu    sync.Mutex
	seq   uint64 // numbers the lines, so that a tail of all processes keeps their order
	rings map[string]*ring.Ring[numbered]
	subs  map[*follower]struct{}
}

type numbered struct {
	seq uint64
	e   telemetry.Entry
}

// follower is one reader following the log.
type follower struct {
	process string
	lines   chan telemetry.Entry
	dropped atomic.Int64 // lines it missed because it fell behind
}

// NewHub returns an empty hub keeping keep lines per process (KeepLines
// when keep is 0 or less).
func NewHub(keep int) *Hub {
	if keep <= 0 {
		keep = KeepLines
	}
	return &Hub{keep: keep, rings: map[string]*ring.Ring[numbered]{}, subs: map[*follower]struct{}{}}
}

// Add keeps e and hands it to the followers; it never blocks.
func (h *Hub) Add(e telemetry.Entry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rings[e.Process]
	if r == nil {
		r = ring.New[numbered](h.keep)
		h.rings[e.Process] = r
	}
	h.seq++
	r.Push(numbered{h.seq, e})
	for f := range h.subs {
		if f.process != "" && f.process != e.Process {
			continue
		}
		select {
		case f.lines <- e:
		default:
			f.dropped.Add(1)
		}
	}
}

// Read implements Source.Logs over the hub.
func (h *Hub) Read(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error {
	tail, f := h.subscribe(q)
	if f != nil {
		defer h.unsubscribe(f)
	}
	for _, e := range tail {
		if err := fn(e); err != nil {
			return err
		}
	}
	if f == nil {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-f.lines:
			if n := f.dropped.Swap(0); n > 0 {
				if err := fn(droppedNote(n)); err != nil {
					return err
				}
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

// droppedNote tells a follower that it missed lines.
func droppedNote(n int64) telemetry.Entry {
	return telemetry.Entry{Time: time.Now(), Process: "mothership", Stream: "event", Level: "warn",
		Text: fmt.Sprintf("%d log lines dropped: the reader fell behind", n)}
}

// subscribe returns the tail q asks for and, with q.Follow, a follower
// that gets every line after it: both under one lock, so that no line is
// lost or seen twice between them.
func (h *Hub) subscribe(q LogQuery) ([]telemetry.Entry, *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	tail := h.tail(q.Process, q.Tail)
	if !q.Follow {
		return tail, nil
	}
	f := &follower{process: q.Process, lines: make(chan telemetry.Entry, followBuffer)}
	h.subs[f] = struct{}{}
	return tail, f
}

func (h *Hub) unsubscribe(f *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, f)
}

// tail is the last n lines of process ("" every process) in the order
// they came; h.mu is held.
func (h *Hub) tail(process string, n int) []telemetry.Entry {
	if n == 0 {
		return nil
	}
	var kept []numbered
	for name, r := range h.rings {
		if process == "" || name == process {
			kept = append(kept, r.Last(n)...)
		}
	}
	// Each ring is in order; sorting by number merges them.
	slices.SortFunc(kept, func(a, b numbered) int { return cmp.Compare(a.seq, b.seq) })
	if n > 0 && len(kept) > n {
		kept = kept[len(kept)-n:]
	}
	out := make([]telemetry.Entry, len(kept))
	for i, k := range kept {
		out[i] = k.e
	}
	return out
}
