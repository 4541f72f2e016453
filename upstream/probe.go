package upstream

import (
	"context"
	"time"

	"github.com/mothership-go/mothership/internal/httpprobe"
	"github.com/mothership-go/mothership/manifest"
)

// probeMember checks m with hc: once at once, then every Interval, until ctx
// ends.
func probeMember(ctx context.Context, m *member, a manifest.Addr, hc *manifest.UpstreamHealth) {
	cl := httpprobe.NewClient(a.Network, a.Address, hc.Timeout)
	defer cl.CloseIdleConnections()
	host := "localhost"
	if a.Network == "tcp" {
		host = a.Address
	}
	url := "http://" + host + hc.Path
	tick := time.NewTicker(hc.Interval)
	defer tick.Stop()
	for {
		err := httpprobe.Check(ctx, cl, url)
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
