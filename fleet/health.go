package fleet

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/internal/httpprobe"
	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
)

// newProbeClient returns an HTTP client that always dials the ship's bind,
// TCP or Unix socket, whatever the URL says.
func newProbeClient(bind manifest.Addr) *http.Client {
	network, address := dialTarget(bind)
	return httpprobe.NewClient(network, address, 0) // each check has its own timeout
}

// dialTarget is where to reach a bind from this host: a wildcard listener
// is reached over loopback.
func dialTarget(a manifest.Addr) (network, address string) {
	if a.Network == "unix" {
		return "unix", a.Address
	}
	host, port, _ := net.SplitHostPort(a.Address)
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "tcp", net.JoinHostPort(host, port)
}

// check asks the healthcheck path once; a 2xx or 3xx answer passes.
func (p *proc) check(ctx context.Context, timeout time.Duration) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	host := "localhost"
	if p.bind.Network == "tcp" {
		_, host = dialTarget(*p.bind)
	}
	return httpprobe.Check(ctx, p.probe, "http://"+host+p.health.Path)
}

// watchHealth checks a ready ship every Interval. Retries failures in a
// row open its health circuit: the ship is unhealthy, out of routing, and
// its run is ended so that supervise restarts it, behind the same backoff
// and circuit breaker as a crash.
func (p *proc) watchHealth(ctx context.Context, c *child) {
	hc := p.health
	retries := max(hc.Retries, 1)
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		err := p.check(ctx, hc.Timeout)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			failures = 0
			continue
		}
		if failures++; failures == retries {
			p.f.log.Event("warn", "unhealthy", "process", p.name, "failures", failures, "error", err)
			p.healthRestart(c)
			return
		}
	}
}

// exitWait is how long a failed health circuit waits for the run's exit
// before it calls the run unhealthy: a probe often sees a ship that just
// died (its port refuses) a moment before its exit is reaped, and that
// run crashed.
const exitWait = 250 * time.Millisecond

// healthRestart takes an unhealthy run out of routing and ends it (SIGTERM,
// SIGKILL after the grace); supervise then restarts it as a health restart.
func (p *proc) healthRestart(c *child) {
	t := time.NewTimer(exitWait)
	defer t.Stop()
	select {
	case <-c.done:
		return
	case <-t.C:
	}
	p.report.Lock()
	p.mu.Lock()
	stopping := p.stopping
	p.healthReq = !stopping
	p.mu.Unlock()
	if !stopping {
		p.route(shipgate.Unhealthy)
	}
	p.report.Unlock()
	if stopping {
		return
	}
	p.setHealthy(false)
	p.f.log.Event("warn", "restarting: health check failing", "process", p.name, "pid", c.pid)
	p.f.terminate(context.Background(), p.name, c)
}

// takeHealthRestart reports, once, that the run that just ended was ended
// because its health check failed.
func (p *proc) takeHealthRestart() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	req := p.healthReq
	p.healthReq = false
	return req
}
