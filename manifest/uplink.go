package manifest

import (
	"fmt"
	"net/url"
	"strings"
)

// UplinkPorts are the default ports of the uplink schemes the crate README
// lists; tcp has none and needs one.
var UplinkPorts = map[string]string{
	"postgres": "5432", "postgresql": "5432",
	"mysql": "3306",
	"redis": "6379", "rediss": "6379",
	"memgraph": "7687", "neo4j": "7687",
	"http": "80", "https": "443",
	"tcp": "",
}

func checkUplinkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", redact(s), err)
	}
	port, ok := UplinkPorts[u.Scheme]
	if !ok {
		return fmt.Errorf("scheme %q is not one mothership can check; want postgres, mysql, redis, memgraph, neo4j, http, https or tcp", u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%q has no host", redact(s))
	}
	if port == "" && u.Port() == "" {
		return fmt.Errorf("%q needs a port (tcp://host:port)", redact(s))
	}
	return nil
}

func uplinkDefaultName(s string) string {
	if u, err := url.Parse(s); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return s
}

// redact hides a URL's password, so that errors can be printed and logged.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		if i := strings.Index(s, "@"); i >= 0 {
			return "…" + s[i:]
		}
		return s
	}
	return u.Redacted()
}
