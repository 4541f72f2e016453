package upstream

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// probeMember checks m with hc: once at once, then every Interval, until ctx
// ends.
func probeMember(ctx context.Context, m *member, a manifest.Addr, hc *manifest.UpstreamHealth) {
	var d net.Dialer
	tr := &http.Transport{
		// A check every few seconds gains nothing from a kept connection,
		// and one to a member that died would only fail the next check.
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, a.Network, a.Address)
		},
	}
	defer tr.CloseIdleConnections()
	cl := &http.Client{
		Transport: tr,
		Timeout:   hc.Timeout,
		// A redirect is an answer (3xx is healthy); following it could
		// leave the member.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	host := "localhost"
	if a.Network == "tcp" {
		host = a.Address
	}
	url := "http://" + host + hc.Path
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for {
		err := check(ctx, cl, url)
		if ctx.Err() != nil {
			return
		}
		m.probed(err)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// check GETs url once; a 2xx or 3xx answer passes.
func check(ctx context.Context, cl *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "mothership-health-check")
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return nil
}
