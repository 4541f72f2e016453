package fleet

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// newProbeClient returns an HTTP client that always dials the ship's bind,
// TCP or Unix socket, whatever the URL says.
func newProbeClient(bind manifest.Addr) *http.Client {
	network, address := dialTarget(bind)
	var d net.Dialer
	return &http.Client{
		Transport: &http.Transport{
			// A probe every few seconds gains nothing from a pooled
			// connection, and a restarted ship would break it anyway.
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, address)
			},
		},
		// A redirect is an answer (3xx is healthy); following it could
		// leave the ship.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+p.health.Path, nil)
	if err != nil {
		return err
	}
	resp, err := p.probe.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("GET %s: %s", p.health.Path, resp.Status)
	}
	return nil
}

// watchHealth checks a ready ship every Interval: Retries failures in a
// row make it unhealthy, one pass healthy again. Health alone restarts
// nothing; a hung ship is for the operator or the proxy to route around.
func (p *proc) watchHealth(ctx context.Context) {
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
			if failures >= retries {
				p.f.log.Event("info", "healthy again", "process", p.name)
			}
			failures = 0
			p.setHealthy(true)
			continue
		}
		failures++
		if failures == retries {
			p.f.log.Event("warn", "unhealthy", "process", p.name, "failures", failures, "error", err)
			p.setHealthy(false)
		}
	}
}
