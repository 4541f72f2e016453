package fleet

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Stop ends the fleet. A launch or prelaunch in progress is cancelled;
// then every process, dependents before what they depend on, gets SIGTERM
// to its process group and SIGKILL after Timing.Grace. Stop returns when
// all are gone. If ctx ends first, what is left gets SIGKILL at once, and
// Stop returns ctx's error once it is gone.
func (f *Fleet) Stop(ctx context.Context) error {
	f.stopMu.Lock()
	defer f.stopMu.Unlock()
	f.mu.Lock()
	f.stopping = true
	f.mu.Unlock()
	f.stopNow(ErrStopped)
	f.jobsRunning.Wait()

	procs := f.list()
	names := make([]string, len(procs))
	dependents := map[string][]string{}
	for i, p := range procs {
		names[i] = p.name
		for _, d := range p.deps {
			dependents[d] = append(dependents[d], p.name)
		}
	}
	_ = inOrder(context.Background(), names, func(n string) []string { return dependents[n] }, func(_ context.Context, n string) error {
		f.lookup(n).stop(ctx)
		return nil
	})
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fleet: stop: %w", err)
	}
	return nil
}

// stop ends supervision and the current run.
func (p *proc) stop(ctx context.Context) {
	p.mu.Lock()
	p.stopping = true
	c, done, cancel, incoming := p.cur, p.done, p.cancel, p.incoming
	p.mu.Unlock()
	if incoming != nil {
		p.f.terminate(ctx, p.name, incoming)
	}
	if cancel != nil {
		cancel()
	}
	// The last run may have ended, and still have left members in its
	// group (a oneshot's daemon): those go too.
	if c != nil && !c.gone() {
		p.setState(Stopping)
		p.f.terminate(ctx, p.name, c)
	}
	if done != nil {
		<-done
	}
	p.setState(Stopped)
}

// killWait bounds the wait after SIGKILL, which can't be refused but can
// be delayed: a process stuck in uninterruptible I/O, or a zombie that
// kill(2) still counts on systems without /proc.
const killWait = 5 * time.Second

// terminate ends a run's process group: SIGTERM, then SIGKILL after Grace,
// or at once when ctx ends. It returns when the group is gone.
func (f *Fleet) terminate(ctx context.Context, name string, c *child) {
	c.signal(syscall.SIGTERM)
	if waitGone(ctx, c, f.timing.Grace) {
		return
	}
	why := "grace passed"
	if ctx.Err() != nil {
		why = "stop deadline"
	}
	f.log.Event("warn", "still running after SIGTERM; sending SIGKILL", "process", name, "why", why, "grace", f.timing.Grace)
	c.signal(syscall.SIGKILL)
	if !waitGone(context.Background(), c, killWait) {
		f.log.Event("error", "still there after SIGKILL", "process", name, "pgid", c.pid, "waited", killWait)
	}
}

// waitGone polls until the run's group is gone, for at most limit and not
// beyond ctx; it reports whether the group is gone. There is no event for
// "the last member of a group died", so it polls, quickly at first.
func waitGone(ctx context.Context, c *child, limit time.Duration) bool {
	expired := time.NewTimer(limit)
	defer expired.Stop()
	poll := 5 * time.Millisecond
	for !c.gone() {
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-expired.C:
			t.Stop()
			return false
		case <-t.C:
		}
		poll = min(poll*2, 50*time.Millisecond)
	}
	return true
}
