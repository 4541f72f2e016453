package fleet

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// restartPoll is how often Restart looks at the new run's state.
const restartPoll = 20 * time.Millisecond

// Restart replaces the current run of one ship or bay and waits until the
// new run is ready, or fails, or ctx ends. A running process gets SIGTERM
// (SIGKILL after the grace) and is started again at once, without counting
// as a crash; one waiting out a backoff or an open circuit is started now.
// A docked HTTP bay gets a phased restart, so no request is lost.
func (f *Fleet) Restart(ctx context.Context, name string) error {
	p := f.lookup(name)
	if p == nil {
		return fmt.Errorf("fleet: restart: no ship or bay named %q (there are: %s)", name, strings.Join(f.names(), ", "))
	}
	if p.kind == kindBay && p.group == "http" && f.docker != nil && p.status().State == Ready {
		if err := p.phasedRestart(ctx); err != nil {
			return fmt.Errorf("fleet: restart %s: %w", name, err)
		}
		return nil
	}
	c, before, err := p.requestRestart()
	if err != nil {
		return fmt.Errorf("fleet: restart %s: %w", name, err)
	}
	f.log.Event("info", "restart requested", "process", name)
	if c != nil {
		p.setState(Stopping)
		f.terminate(ctx, name, c)
	} else {
		select {
		case p.kick <- struct{}{}:
		default:
		}
	}
	ctx, cancel := context.WithTimeout(ctx, p.bootTimeout+f.timing.Grace+killWait)
	defer cancel()
	if err := p.awaitRun(ctx, before); err != nil {
		return fmt.Errorf("fleet: restart %s: %w", name, err)
	}
	return nil
}

// requestRestart marks the current run, if one is alive, as ended by
// Restart, and returns it with the number of runs so far.
func (p *proc) requestRestart() (*child, int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.stopping:
		return nil, 0, errors.New("the fleet is stopping")
	case p.done == nil:
		return nil, 0, errors.New("not launched yet")
	}
	select {
	case <-p.done:
		return nil, 0, fmt.Errorf("its supervision ended (state %s): a oneshot that finished is not restarted", p.state)
	default:
	}
	if p.cur != nil && !p.cur.exited() {
		p.restartReq = true
		return p.cur, p.runs, nil
	}
	return nil, p.runs, nil
}

// takeRestart reports, once, that the run that just ended was ended by Restart.
func (p *proc) takeRestart() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.restartReq
	p.restartReq = false
	return req
}

// awaitRun waits until a run after the first `before` is ready, or ends.
func (p *proc) awaitRun(ctx context.Context, before int) error {
	t := time.NewTicker(restartPoll)
	defer t.Stop()
	for {
		p.mu.Lock()
		ready, ended, state := p.readyRun > before, p.endedRun > before, p.state
		p.mu.Unlock()
		switch {
		case ready:
			return nil
		case ended:
			return fmt.Errorf("the new run ended before it was ready (state %s)", state)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the new run is not ready (state %s): %w", state, ctx.Err())
		case <-t.C:
		}
	}
}

// since is when the current run started; p.mu is held.
func (p *proc) since() time.Time {
	if p.cur == nil || p.pid == 0 {
		return time.Time{}
	}
	return p.cur.start
}

// names lists the selected ships and bays, in declaration order.
func (f *Fleet) names() []string {
	procs := f.list()
	out := make([]string, len(procs))
	for i, p := range procs {
		out[i] = p.name
	}
	return out
}
