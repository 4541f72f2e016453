package fleet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"

	"github.com/mothership-go/mothership/manifest"
)

// AssignPorts gives every ship with AutoPort and no port yet (KeepPorts
// may have given it the one it runs on) a free loopback TCP port: it sets
// s.Bind and s.Env["PORT"]. Call it once, before New and before the proxy
// reads the binds.
//
// The port is one where nothing listens, from autoPortFloor (20000) up to
// the kernel's ephemeral range (Linux: ip_local_port_range, 32768 by
// default; darwin and FreeBSD: net.inet.ip.portrange.first), from a random
// start. It is closed until the ship listens on it, which may be much
// later (after prelaunch tasks, after a crash's backoff); a port of the
// ephemeral range may be taken meanwhile as the local end of any outgoing
// connection on the host, and the ship would fail with "address already in
// use", while below that range only a listener takes one. Where the
// ephemeral range starts at or below the floor (FreeBSD's default 10000),
// is unknown, or the span is full, the kernel picks the port as for a
// listen on port 0.
func AssignPorts(m *manifest.Manifest) error {
	d := newPortDraw(declaredPorts(m))
	// Every listener stays open until all ports are taken, so that no two
	// ships draw the same one.
	defer d.release()
	for _, s := range m.Ships {
		if !s.AutoPort || s.Bind != nil {
			continue
		}
		port, err := d.take()
		if err != nil {
			return fmt.Errorf("fleet: free port for ship %s: %w", s.Name, err)
		}
		s.Bind = &manifest.Addr{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", port)}
		if s.Env == nil {
			s.Env = map[string]string{}
		}
		s.Env["PORT"] = port
	}
	return nil
}

// autoPortFloor is the lowest port AssignPorts gives a ship: below it lie
// the usual ports of services (3000, 5432, 6379, 8080, 9090, …), one of
// which may be down for a moment while AssignPorts draws.
const autoPortFloor = 20000

// portDraw hands out free loopback ports, each held by a listener until
// release: from the span [lo, lo+n), tried from a random start, then (n
// is 0, or every port of the span is taken) from the kernel.
type portDraw struct {
	declared     map[string]bool
	lo, n        int
	start, tried int
	held         []net.Listener
}

// newPortDraw draws from autoPortFloor up to the ephemeral range, where
// that range is known and starts above the floor.
func newPortDraw(declared map[string]bool) *portDraw {
	if first, ok := ephemeralFirst(); ok && first > autoPortFloor {
		return newSpanDraw(declared, autoPortFloor, first-autoPortFloor)
	}
	return newSpanDraw(declared, 0, 0)
}

// newSpanDraw draws from [lo, lo+n), from a random start, then from the
// kernel; n is 0 to draw from the kernel only.
func newSpanDraw(declared map[string]bool, lo, n int) *portDraw {
	d := &portDraw{declared: declared, lo: lo, n: n}
	if n > 0 {
		d.start = rand.IntN(n)
	}
	return d
}

// take returns a port where nothing listens and that no declared address
// names, and holds it.
func (d *portDraw) take() (string, error) {
	for ; d.tried < d.n; d.tried++ {
		port := strconv.Itoa(d.lo + (d.start+d.tried)%d.n)
		if d.declared[port] {
			continue
		}
		if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port)); err == nil {
			d.held = append(d.held, l)
			d.tried++
			return port, nil
		}
	}
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		d.held = append(d.held, l)
		if port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port); !d.declared[port] {
			return port, nil
		}
	}
}

// release closes the listeners that held the ports taken.
func (d *portDraw) release() {
	for _, l := range d.held {
		l.Close()
	}
	d.held = nil
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
