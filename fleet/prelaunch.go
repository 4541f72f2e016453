package fleet

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// RunPrelaunch runs every prelaunch job to completion, each once the jobs
// it depends on succeeded, independent ones concurrently. The first failure
// ends the jobs still running and is returned, naming the job and its exit
// status.
func (f *Fleet) RunPrelaunch(ctx context.Context) error {
	ctx, cancel := f.withStop(ctx)
	defer cancel()
	byName := map[string]*spec{}
	names := make([]string, len(f.jobs))
	for i, j := range f.jobs {
		byName[j.name], names[i] = j, j.name
	}
	err := inOrder(ctx, names, func(n string) []string { return byName[n].deps }, func(ctx context.Context, n string) error {
		return f.runJob(ctx, byName[n])
	})
	if err != nil && err == context.Cause(ctx) {
		return fmt.Errorf("fleet: prelaunch: %w", err)
	}
	return err
}

func (f *Fleet) runJob(ctx context.Context, s *spec) error {
	c, err := f.startJob(s)
	if err != nil {
		return fmt.Errorf("fleet: prelaunch job %s: %w", s.name, err)
	}
	defer f.jobsRunning.Done()
	f.log.Event("info", "prelaunch job started", "job", s.name, "pid", c.pid)
	select {
	case <-c.done:
	case <-ctx.Done():
		f.terminate(context.Background(), s.name, c)
		return fmt.Errorf("fleet: prelaunch job %s: %w", s.name, context.Cause(ctx))
	}
	// A job runs to completion; what it left running would be an
	// unsupervised ship.
	c.signal(syscall.SIGKILL)
	if !c.success() {
		return fmt.Errorf("fleet: prelaunch job %s failed: %s", s.name, c.status())
	}
	f.log.Event("info", "prelaunch job done", "job", s.name, "took", c.end.Sub(c.start).Round(time.Millisecond))
	return nil
}

// startJob starts a job unless Stop has begun, and counts it for Stop to wait on.
func (f *Fleet) startJob(s *spec) (*child, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopping {
		return nil, ErrStopped
	}
	c, err := spawn(s, f.log)
	if err != nil {
		return nil, err
	}
	f.jobsRunning.Add(1)
	return c, nil
}
