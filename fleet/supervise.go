package fleet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// supervise runs the process until Stop: it restarts crashes, and runs
// that failed their health check, with exponential backoff and opens the
// circuit after CircuitAfter of them in a row. A oneshot that exits 0 is
// done.
func (p *proc) supervise(ctx context.Context) {
	defer close(p.done)
	t := p.f.timing
	var crashes atomic.Int32
	for {
		c, err := p.start()
		if errors.Is(err, errStopping) {
			return
		}
		var last string
		health := false
		if err != nil {
			err = fmt.Errorf("fleet: start %s: %w", p.name, err)
			p.f.log.Event("error", "start failed", "process", p.name, "error", err)
			p.bootFailed(err)
			last = err.Error()
		} else {
			stable := p.forgiveAfter(t.StableAfter, &crashes)
			p.run(ctx, c, false)
			// A phased restart replaced the run: supervise the new one.
			for next := p.takeHandover(); next != nil; next = p.takeHandover() {
				c = next
				p.run(ctx, c, true)
			}
			stable.Stop()
			if p.isStopping() {
				return
			}
			// A run that Restart ended is replaced at once: it did not crash.
			if p.takeRestart() {
				continue
			}
			if p.oneshot && c.success() {
				return
			}
			health = p.takeHealthRestart()
			// What a crashed run started dies with it, or it would
			// outlive every restart.
			c.signal(syscall.SIGKILL)
			last = c.status()
		}
		n := int(crashes.Add(1))
		var delay time.Duration
		if n >= t.CircuitAfter {
			delay = t.CircuitOpen
			p.setState(CircuitOpen)
			p.f.circuitOpened(p, n, last)
		} else {
			delay = backoff(t.BackoffBase, n)
			p.setState(Backoff)
			what := "crashed"
			if health {
				what = "unhealthy run ended"
			}
			p.f.log.Event("warn", what, "process", p.name, "status", last, "crashes", n, "restart_in", delay.Round(time.Millisecond))
		}
		if !p.pause(ctx, delay) {
			return
		}
		p.restarted(health)
	}
}

// forgiveAfter resets the crash count once a run has lasted d: a process
// that crashed and then ran stable is healthy again (its circuit closes),
// and the next crash backs off from the start. The reset is logged when it
// forgives something.
func (p *proc) forgiveAfter(d time.Duration, crashes *atomic.Int32) *time.Timer {
	return time.AfterFunc(d, func() {
		if n := crashes.Swap(0); n > 0 {
			p.f.log.Event("info", "stable again: crash count reset", "process", p.name, "crashes", n, "stable_for", d)
		}
	})
}

// run follows one run from start to exit: readiness, then health checks
// and memory samples while it lasts. A run handed over by a phased restart
// docked already, so it is not Starting again.
func (p *proc) run(ctx context.Context, c *child, handedOver bool) {
	if !handedOver {
		p.setState(Starting)
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { p.sampleMemory(ctx, c.pid) })
	switch err := p.waitReady(ctx, c); {
	case err == nil:
		p.markReady()
		if p.health != nil && !p.oneshot {
			wg.Go(func() { p.watchHealth(ctx, c) })
		}
	case ctx.Err() == nil:
		err = fmt.Errorf("fleet: %s %s: %w", p.kind, p.name, err)
		p.f.log.Event("warn", "not ready", "process", p.name, "error", err)
		p.bootFailed(err)
		// A run that never got ready is a crash; one still running is
		// stuck, and a restart is its best chance.
		c.signal(syscall.SIGKILL)
	}
	<-c.done
	if c.socket != "" && p.f.docker != nil {
		c.undock(p.f.docker, p.name)
	}
	// Health and memory reports must not outlive the run they describe.
	cancel()
	wg.Wait()
	p.ended(c, p.oneshot && c.success())
}

// pause waits d, or less if ctx ends or Restart kicks it; it reports
// whether supervision goes on.
func (p *proc) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.kick:
		return true
	case <-ctx.Done():
		return false
	}
}
