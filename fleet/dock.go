package fleet

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/mothership-go/mothership/manifest"
)

// Docker docks the runs of bays. With one in Options, a bay is ready once
// its run docked, instead of once it runs.
type Docker interface {
	// Dock tries once to dock the bay's run, whose process is pid and which
	// listens on socket; the fleet calls it again, with backoff, until it
	// succeeds or the bay's boot_timeout passes. Docking a run that already
	// docked succeeds at once.
	Dock(ctx context.Context, bay, socket string, pid int) error
	// Undock lets go of the bay's run on socket, which ended.
	Undock(bay, socket string)
}

// socketFor is the socket of a bay's generation: `<name>.sock` for the
// first, then `<name>.<gen>.sock` for those a phased restart starts, since
// the old generation still listens on its own while it drains, and removes
// its file when it exits.
func socketFor(dir, name string, gen int) string {
	if gen == 0 {
		return filepath.Join(dir, name+".sock")
	}
	return filepath.Join(dir, name+"."+strconv.Itoa(gen)+".sock")
}

// checkSocketPath refuses a bay whose socket would not fit in sun_path
// (manifest.MaxSocketPath, as the HTTP bay also checks),
// before anything starts: the bay would fail to listen, or mothership to
// connect, with an error far from the cause. A phased restart's socket
// name is a few bytes longer, so it is checked with room for that.
func checkSocketPath(dir, name string) error {
	p := socketFor(dir, name, 999)
	if len(p) > manifest.MaxSocketPath {
		return fmt.Errorf("fleet: bay %s: its socket path %s is %d bytes, more than the %d a Unix socket path may have; set MS_SOCKET_DIR to a shorter directory", name, p, len(p), manifest.MaxSocketPath)
	}
	return nil
}

// errNotRunning refuses a phased restart of a bay that has no run to replace.
var errNotRunning = errors.New("not running")

// PhasedRestart replaces every running HTTP bay with a new generation of
// its process, one bay at a time, with no request lost: the new run
// starts on a socket of its own and docks, which moves the traffic to its
// links while the old run's in-flight requests finish; then the old run
// gets SIGTERM and the grace to stop. It returns the errors of the bays it
// could not restart; those keep running as they were.
func (f *Fleet) PhasedRestart(ctx context.Context) error {
	var errs []error
	restarted := 0
	for _, p := range f.list() {
		if p.kind != kindBay || p.group != "http" {
			continue
		}
		if err := p.phasedRestart(ctx); err != nil {
			f.log.Event("error", "phased restart failed", "process", p.name, "error", err)
			errs = append(errs, fmt.Errorf("fleet: phased restart of %s: %w", p.name, err))
			continue
		}
		restarted++
	}
	f.log.Event("info", "Phased restart complete", "bays", restarted, "failed", len(errs))
	return errors.Join(errs...)
}

// phasedRestart starts the next generation of a docked bay, waits for it to
// dock and hands supervision over to it; the old run is then terminated.
func (p *proc) phasedRestart(ctx context.Context) error {
	if p.f.docker == nil {
		return errors.New("bays are not docked by this fleet")
	}
	p.mu.Lock()
	old, gen := p.cur, p.gen+1
	// A handover not yet taken means the last phased restart's old run is
	// still ending: another now would replace the run it hands over to.
	if p.stopping || old == nil || old.exited() || p.state != Ready || p.incoming != nil || p.handover != nil {
		p.mu.Unlock()
		return fmt.Errorf("%w (state %s)", errNotRunning, p.state)
	}
	next, err := spawnRun(p.spec, socketFor(p.sockets, p.name, gen), p.f.log)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	// Stop must find the new run while it boots.
	p.incoming = next
	p.mu.Unlock()
	p.f.log.Event("info", "phased restart: next generation starting", "process", p.name, "generation", gen, "pid", next.pid)

	err = p.waitReady(ctx, next)
	p.mu.Lock()
	if err == nil && (p.stopping || p.cur != old || old.exited()) {
		err = errors.New("the old run ended while the next one booted")
	}
	if err != nil {
		p.incoming = nil
		p.mu.Unlock()
		next.signal(syscall.SIGKILL)
		<-next.done
		next.undock(p.f.docker, p.name)
		return err
	}
	p.incoming, p.handover = nil, next
	p.cur, p.pid, p.gen = next, next.pid, gen
	p.mu.Unlock()
	p.f.log.Event("info", "phased restart: next generation docked; draining the old one", "process", p.name, "generation", gen, "pid", next.pid, "old_pid", old.pid)
	p.f.terminate(context.Background(), p.name, old)
	if !old.exited() {
		return nil // terminate said why it is still there
	}
	// The old run's supervisor undocks it once it ended; done means the
	// proxy sends it nothing more.
	select {
	case <-old.undocked:
	case <-ctx.Done():
		return fmt.Errorf("the old run (pid %d) ended but was not undocked: %w", old.pid, ctx.Err())
	}
	return nil
}

// takeHandover returns the run a phased restart handed supervision to, once.
func (p *proc) takeHandover() *child {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.handover
	p.handover = nil
	return c
}
