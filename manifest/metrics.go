package manifest

import (
	"net"
	"strconv"
)

// readMetricsAddr reads `metrics_addr` (host:port, so that Kubernetes
// probes and a remote Prometheus can reach the metrics) or falls back to
// 127.0.0.1 on metrics_port; the two together are refused, since one
// would silently lose.
func readMetricsAddr(t *table, port int) Addr {
	if !t.has("metrics_addr") {
		if port == 0 {
			return Addr{}
		}
		return Addr{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	}
	key := t.key("metrics_addr")
	if port != 0 {
		t.r.errorf(key, "metrics_addr and metrics_port both say where the metrics go; keep one (metrics_port %d is metrics_addr = \"127.0.0.1:%d\")", port, port)
	}
	s, ok := t.expanded("metrics_addr")
	if !ok {
		return Addr{}
	}
	a, err := ParseAddr(s)
	switch {
	case err != nil:
		t.r.errorf(key, "%v", err)
		return Addr{}
	case a.Network != "tcp":
		t.r.errorf(key, "%q: the metrics are served over TCP; want host:port, as in \"0.0.0.0:9090\"", s)
		return Addr{}
	}
	return a
}
