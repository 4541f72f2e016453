package upstream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// MemberObserver records one pool member's state for the metrics.
type MemberObserver interface {
	// Up records whether the member takes traffic.
	Up(up bool)
	// Ejected counts a passive ejection.
	Ejected()
	// Close says the plan that observed the member is done with it.
	Close()
}

// MemberObservers is what a pipeline.Observer implements to observe the
// members of upstream pools too; UpstreamMember is called once per member
// and plan, when the plan starts.
type MemberObservers interface {
	UpstreamMember(upstream, member string) MemberObserver
}

// Bits of member.word.
const (
	outBits   = 1 // out of routing: down or ejected
	probation = 2 // back from an ejection, not yet proven by a connection
)

// member is one address of an upstream pool as its routes see it. The
// request path reads word with one atomic load; everything else is under
// mu, off the request path.
type member struct {
	pool, addr string
	eject      bool          // passive ejection applies (a pool of two or more)
	word       atomic.Uint32 // outBits, probation
	fails      atomic.Int32  // connections failed in a row
	events     func(level, msg string, kv ...any)

	mu      sync.Mutex
	h       health
	obs     MemberObserver
	timer   *time.Timer
	stopped bool
}

// available reports whether the member takes traffic; a nil member (a
// ship's address) always does.
func (m *member) available() bool { return m == nil || m.word.Load()&outBits == 0 }

// connected records a new connection: the failures in a row end, and a
// member back from an ejection has proved itself.
func (m *member) connected() {
	if m == nil || !m.eject {
		return
	}
	if m.fails.Load() != 0 {
		m.fails.Store(0)
	}
	if m.word.Load()&probation != 0 {
		m.mu.Lock()
		m.h.served()
		m.publish(0)
		m.mu.Unlock()
	}
}

// connectFailed counts a connection that failed; the ejectAfter-th in a
// row ejects the member.
func (m *member) connectFailed(err error) {
	if m == nil || !m.eject || m.fails.Add(1) < ejectAfter {
		return
	}
	m.fails.Store(0)
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.h.eject()
	if !ok || m.stopped {
		return
	}
	m.timer = time.AfterFunc(d, m.ejectionEnded)
	if m.obs != nil {
		m.obs.Ejected()
	}
	m.publish(ejected, "failures", ejectAfter, "for", d.String(), "error", err.Error())
}

// ejectionEnded puts the member back when its ejection time is up.
func (m *member) ejectionEnded() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publish(m.h.ejectionEnded())
}

// probed applies an active check's result.
func (m *member) probed(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.h.probed(err == nil)
	if c&cameBack != 0 && m.timer != nil {
		m.timer.Stop()
	}
	if err != nil {
		m.publish(c, "failures", m.h.fails, "error", err.Error())
		return
	}
	m.publish(c, "successes", m.h.oks)
}

// publish stores the state in word and logs and observes the changes c;
// m.mu is held.
func (m *member) publish(c change, kv ...any) {
	w := uint32(0)
	if !m.h.available() {
		w |= outBits
	}
	if m.h.ejections > 0 && !m.h.ejected {
		w |= probation
	}
	m.word.Store(w)
	if c == 0 {
		return
	}
	for _, t := range []struct {
		c     change
		level string
		msg   string
	}{
		{ejected, "warn", "upstream member ejected"}, {wentDown, "warn", "upstream member down"},
		{cameBack, "info", "upstream member back from ejection"}, {cameUp, "info", "upstream member up"},
	} {
		if c&t.c != 0 {
			m.events(t.level, t.msg, append([]any{"upstream", m.pool, "member", m.addr}, kv...)...)
		}
	}
	if m.obs != nil {
		m.obs.Up(m.h.available())
	}
}

// run observes the member and checks it with hc (nil: no active check)
// until ctx ends, then stops its ejection timer.
func (m *member) run(ctx context.Context, obs MemberObservers, a manifest.Addr, hc *manifest.UpstreamHealth) {
	if obs != nil {
		m.mu.Lock()
		m.obs = obs.UpstreamMember(m.pool, m.addr)
		m.obs.Up(m.h.available())
		m.mu.Unlock()
	}
	if hc != nil {
		probeMember(ctx, m, a, hc)
	} else {
		<-ctx.Done()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	if m.timer != nil {
		m.timer.Stop()
	}
	if m.obs != nil {
		m.obs.Close()
		m.obs = nil
	}
}
