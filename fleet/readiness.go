package fleet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// maxReadyPoll caps the readiness backoff: a ship that is slow to boot
// should still be seen ready within half a second.
const maxReadyPoll = 500 * time.Millisecond

var errBootTimeout = errors.New("boot timeout")

// waitReady returns nil once the run is ready: its healthcheck passes, or
// it exited 0 (a oneshot), or its bind accepts connections, or, with none
// of these, it runs. It fails when the run exits first or boot_timeout
// passes.
func (p *proc) waitReady(ctx context.Context, c *child) error {
	ctx, cancel := context.WithTimeoutCause(ctx, p.bootTimeout, errBootTimeout)
	defer cancel()
	exitedEarly := func() error { return fmt.Errorf("exited before it was ready (%s)", c.status()) }
	if p.oneshot {
		select {
		case <-c.done:
			if c.success() {
				return nil
			}
			return exitedEarly()
		case <-ctx.Done():
			return p.notReady(ctx, nil)
		}
	}
	var check func(context.Context) error
	switch {
	case p.kind == kindBay && p.f.docker != nil:
		check = func(ctx context.Context) error { return p.f.docker.Dock(ctx, p.name, c.socket, c.pid) }
	case p.health != nil:
		check = func(ctx context.Context) error { return p.check(ctx, p.health.Timeout) }
	case p.bind != nil:
		check = p.dialBind
	default:
		return nil
	}
	delay := p.f.timing.ReadyPoll
	for {
		err := check(ctx)
		if err == nil {
			select {
			case <-c.done:
				// Whatever answered, it was not this ship: it has exited,
				// and another process may have taken its free port.
				return exitedEarly()
			default:
				return nil
			}
		}
		t := time.NewTimer(delay)
		select {
		case <-c.done:
			t.Stop()
			return exitedEarly()
		case <-ctx.Done():
			t.Stop()
			return p.notReady(ctx, err)
		case <-t.C:
		}
		delay = min(delay*3/2, maxReadyPoll)
	}
}

// notReady explains why waiting ended: the boot timeout, with the last
// check's error, or the supervisor's own cancellation.
func (p *proc) notReady(ctx context.Context, last error) error {
	if context.Cause(ctx) != errBootTimeout {
		return ctx.Err()
	}
	if last != nil {
		return fmt.Errorf("not ready within boot_timeout %s (last check: %w)", p.bootTimeout, last)
	}
	return fmt.Errorf("not done within boot_timeout %s", p.bootTimeout)
}

// dialBind checks that the bind accepts connections.
func (p *proc) dialBind(ctx context.Context) error {
	network, address := dialTarget(*p.bind)
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return err
	}
	return conn.Close()
}
