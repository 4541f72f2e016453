package docking

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// linkDialTimeout bounds one try at opening a link: a bay whose threads are
// all serving leaves a new link in its listen backlog, without a Dock,
// until one is free.
const linkDialTimeout = 5 * time.Second

// linkWarnEvery spaces the warnings of a link that keeps failing to open.
const linkWarnEvery = 30 * time.Second

// MaxLinks caps an HTTP run's pool, whatever its Dock claims: each link is
// a socket and a goroutine's worth of buffers.
const MaxLinks = 1024

// mooring is one docked run of a bay: an HTTP bay's pool of links, or a
// WebSocket bay's one multiplexed link.
type mooring struct {
	b      *Berth
	cfg    BerthConfig // the berth's settings when the run docked
	socket string
	pid    int
	size   int // links an HTTP run is to have open

	free chan *Link // idle HTTP links
	ws   bool       // a WebSocket run: one multiplexed link, mux

	ids  atomic.Uint32 // request ids, unique on each link and so on all
	live atomic.Int32  // HTTP links docked and not yet closed

	mu  sync.Mutex
	mux *Mux // the WebSocket run's link, replaced when it breaks

	// ctx ends when the run is retired (the berth moved on); it also
	// bounds the dials of its links.
	ctx      context.Context
	cancel   context.CancelFunc
	lost     chan struct{} // closed when no link is left and none could be opened
	lostOnce sync.Once
}

func newMooring(b *Berth, cfg BerthConfig, socket string, pid int, first *Link) *mooring {
	m := &mooring{b: b, cfg: cfg, socket: socket, pid: pid, size: 1, lost: make(chan struct{})}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if cfg.Version == VersionWebSocket {
		m.ws, m.mux = true, newMux(first, cfg.Log, cfg.Name)
		return m
	}
	// Clamped before multiplying: the Dock is the bay's word, and a huge
	// threads must not overflow into a negative pool.
	threads, workers := min(max(1, first.Dock.Threads), MaxLinks+1), min(max(1, cfg.Workers), MaxLinks+1)
	m.size = threads * workers
	if m.size > MaxLinks {
		cfg.Log("warn", "the bay asks for more links than a pool may have", "bay", cfg.Name, "asked", m.size, "links", MaxLinks)
		m.size = MaxLinks
	}
	m.free = make(chan *Link, m.size)
	return m
}

// start puts the first link to work and, for HTTP, opens the others.
func (m *mooring) start(first *Link) {
	if m.ws {
		go m.carry(m.mux)
		return
	}
	m.live.Add(1)
	m.free <- first
	for range m.size - 1 {
		go m.openLink()
	}
}

// carry serves a WebSocket run's link until it ends; while the run is
// current, a new link is opened in its place (a bay that outlives its link
// waits for the next one), and the run is lost only when none can be.
func (m *mooring) carry(mux *Mux) {
	for {
		mux.serve()
		if m.isRetired() {
			return
		}
		m.cfg.Log("warn", "websocket link lost; docking a new one", "bay", m.cfg.Name, "socket", m.socket)
		ctx, cancel := context.WithTimeout(m.ctx, linkDialTimeout)
		l, err := Dial(ctx, m.socket, m.cfg.Version, m.cfg.Config)
		cancel()
		if err != nil {
			m.cfg.Log("warn", "cannot dock a new websocket link", "bay", m.cfg.Name, "socket", m.socket, "error", err)
			m.lostOnce.Do(func() { close(m.lost) })
			return
		}
		mux = newMux(l, m.cfg.Log, m.cfg.Name)
		m.mu.Lock()
		m.mux = mux
		m.mu.Unlock()
		if m.isRetired() { // retire closed the old link, not this one
			mux.close(CloseGoingAway, "bay went away")
		}
	}
}

// currentMux is the WebSocket run's link.
func (m *mooring) currentMux() *Mux {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mux
}

// openLink opens one HTTP link and puts it in the pool, retrying with
// backoff until it succeeds or the run is retired.
func (m *mooring) openLink() {
	delay := 20 * time.Millisecond
	var said time.Time
	for tries := 1; ; tries++ {
		ctx, cancel := context.WithTimeout(m.ctx, linkDialTimeout)
		l, err := Dial(ctx, m.socket, m.cfg.Version, m.cfg.Config)
		cancel()
		if err == nil {
			m.live.Add(1)
			if m.isRetired() {
				m.closeLink(l)
				return
			}
			m.free <- l
			if m.isRetired() { // retire drained the pool just before
				m.drainIdle()
			}
			return
		}
		if m.isRetired() {
			return
		}
		if m.live.Load() == 0 {
			// No link is left to carry traffic and the bay does not answer:
			// the run is gone (an attached bay restarting, say).
			m.lostOnce.Do(func() { close(m.lost) })
		}
		// Said once, then every half minute: a bay with fewer threads than
		// it docked with would otherwise fill the log.
		if time.Since(said) >= linkWarnEvery {
			m.cfg.Log("warn", "cannot open a link; retrying", "bay", m.cfg.Name, "socket", m.socket, "error", err, "tries", tries)
			said = time.Now()
		}
		select {
		case <-m.ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}

// closeLink closes an HTTP link for good.
func (m *mooring) closeLink(l *Link) {
	l.Close()
	m.live.Add(-1)
}

func (m *mooring) isRetired() bool { return m.ctx.Err() != nil }

// retire stops the run's traffic: idle links close now, claimed ones when
// their request is done, the WebSocket link at once. Retiring again does
// nothing more.
func (m *mooring) retire() {
	m.cancel()
	if m.ws {
		m.currentMux().close(CloseGoingAway, "bay went away")
		return
	}
	m.drainIdle()
}

// release gives a claimed link back: to the pool when it is in step and
// the run is current, else it closes and a replacement is opened.
func (m *mooring) release(l *Link, reusable bool) {
	if reusable && !m.isRetired() {
		m.free <- l
		// retire may have drained the pool just before: look again.
		if m.isRetired() {
			m.drainIdle()
		}
		return
	}
	m.closeLink(l)
	if !m.isRetired() {
		go m.openLink()
	}
}

// drainIdle closes the idle links.
func (m *mooring) drainIdle() {
	for {
		select {
		case l := <-m.free:
			m.closeLink(l)
		default:
			return
		}
	}
}
