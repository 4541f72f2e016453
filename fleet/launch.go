package fleet

import (
	"context"
	"errors"
	"fmt"
)

// Launch starts the selected ships and bays in dependency order, each once
// everything it depends on is ready, independent ones concurrently. It
// returns when all are ready, or at the first failure of a critical
// process: a command that does not start, a run that exits before it is
// ready, a boot_timeout that passes; or on ctx ending or Stop. A process
// that is not critical and fails its boot is logged and launched around. Whatever started keeps running (and
// restarting) either way, until Stop.
func (f *Fleet) Launch(ctx context.Context) error {
	if !f.launched.CompareAndSwap(false, true) {
		return errors.New("fleet: Launch called twice")
	}
	if f.sockets.dir != "" {
		if err := f.sockets.make(); err != nil {
			return err
		}
	}
	ctx, cancel := f.withStop(ctx)
	defer cancel()
	err := inOrder(ctx, f.names(), func(n string) []string { return f.lookup(n).deps }, f.launchOne)
	if err != nil && err == context.Cause(ctx) {
		return fmt.Errorf("fleet: launch: %w", err)
	}
	return err
}

// launchOne starts one process and waits for its first readiness.
func (f *Fleet) launchOne(ctx context.Context, name string) error {
	p := f.lookup(name)
	if by := f.reasons[name]; by != "" {
		f.log.Event("info", fmt.Sprintf("starting %s: %s depends on it", name, by), "process", name, "needed_by", by)
	}
	err := f.startReady(ctx, p)
	if err != nil && err == p.bootErr && !p.critical {
		// A process that is not critical must not keep the fleet from
		// launching: it goes on restarting, and what depends on it starts.
		f.log.Event("warn", "not critical: launching the others without it", "process", name, "error", p.bootErr)
		return nil
	}
	return err
}

// startReady starts supervising p and waits for its first readiness; a
// boot that fails returns p.bootErr.
func (f *Fleet) startReady(ctx context.Context, p *proc) error {
	if !p.launch() {
		return fmt.Errorf("fleet: launch of %s: %w", p.name, ErrStopped)
	}
	select {
	case <-p.ready:
		return nil
	case <-p.failed:
		return p.bootErr
	case <-ctx.Done():
		return fmt.Errorf("fleet: launch of %s: %w", p.name, context.Cause(ctx))
	}
}
