// Package httpprobe owns the HTTP health check that the fleet's ship
// health checks and the upstream pools' member checks share: a client that
// always dials one address (TCP or Unix socket) with keep-alives off and
// redirects not followed, and a GET whose 2xx or 3xx answer passes, its
// body drained up to 64 KiB.
package httpprobe

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// UserAgent is what a check says it is, so that a target's logs can tell
// checks from traffic.
const UserAgent = "mothership-health-check"

// maxDrain is how much of an answer's body a check reads before it closes:
// enough for the connection to end cleanly, bounded for a target that
// answers a check with a stream.
const maxDrain = 64 << 10

// NewClient returns a client that dials network and address whatever a
// URL says, with timeout for the whole exchange (none when 0).
func NewClient(network, address string, timeout time.Duration) *http.Client {
	var d net.Dialer
	return &http.Client{
		Transport: &http.Transport{
			// A check every few seconds gains nothing from a kept
			// connection, and a restarted target would break it anyway.
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, address)
			},
		},
		Timeout: timeout,
		// A redirect is an answer (3xx is healthy); following it could
		// leave the target.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Check GETs url once with cl; a 2xx or 3xx answer passes, anything else
// is an error naming the path and the status.
func Check(ctx context.Context, cl *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := cl.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 400 {
		return fmt.Errorf("GET %s: %s", req.URL.Path, resp.Status)
	}
	return nil
}
