package fleet

import (
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/mothership-go/mothership/manifest"
)

// AssignPorts gives every ship with AutoPort and no port yet (KeepPorts
// may have given it the one it runs on) a free loopback TCP port: it sets
// s.Bind and s.Env["PORT"]. Call it once, before New and before the proxy
// reads the binds.
func AssignPorts(m *manifest.Manifest) error {
	// Every listener stays open until all ports are taken, so that no two
	// ships draw the same one.
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	declared := declaredPorts(m)
	for _, s := range m.Ships {
		if !s.AutoPort || s.Bind != nil {
			continue
		}
		var port string
		for port == "" || declared[port] {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return fmt.Errorf("fleet: free port for ship %s: %w", s.Name, err)
			}
			held = append(held, l)
			port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		}
		s.Bind = &manifest.Addr{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", port)}
		if s.Env == nil {
			s.Env = map[string]string{}
		}
		s.Env["PORT"] = port
	}
	return nil
}

// declaredPorts are the TCP ports of the mothership's own binds and its
// metrics address: free while AssignPorts draws, since the proxy listens
// only after it, so the kernel may hand one of them out; a ship given one
// would fail to listen.
func declaredPorts(m *manifest.Manifest) map[string]bool {
	ports := map[string]bool{}
	addrs := []manifest.Addr{m.Mothership.MetricsAddr}
	for _, b := range m.Mothership.Binds {
		addrs = append(addrs, b.Addr)
	}
	for _, a := range addrs {
		if _, port, err := net.SplitHostPort(a.Address); err == nil && a.Network == "tcp" {
			ports[port] = true
		}
	}
	return ports
}

// KeepPorts gives each ship of m with AutoPort the port the ship of the
// same name got in old, so that a reload does not see every such ship as
// changed and restart it on a new port.
func KeepPorts(old, m *manifest.Manifest) {
	ports := map[string]*manifest.Addr{}
	for _, s := range old.Ships {
		if s.AutoPort && s.Bind != nil {
			ports[s.Name] = s.Bind
		}
	}
	for _, s := range m.Ships {
		if a := ports[s.Name]; s.AutoPort && a != nil {
			b := *a
			s.Bind = &b
			if s.Env == nil {
				s.Env = map[string]string{}
			}
			s.Env["PORT"] = portOf(b)
		}
	}
}

// newPorts draws a new free port for each named ship of m (ships with
// AutoPort), in place of the one KeepPorts gave it: a rolling restart's
// new run listens there while the old run still holds the old port.
func newPorts(m *manifest.Manifest, names []string) error {
	for _, s := range m.Ships {
		if s.AutoPort && slices.Contains(names, s.Name) {
			s.Bind = nil
		}
	}
	return AssignPorts(m)
}
