package manifest

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Addr is a listen or dial address.
type Addr struct {
	// Network is "tcp" or "unix".
	Network string
	// Address is host:port for tcp, a filesystem path for unix.
	Address string
}

// String formats the address the way a manifest writes it.
func (a Addr) String() string {
	if a.Network == "unix" {
		return "unix://" + a.Address
	}
	return a.Address
}

// Port returns the TCP port, or 0 for a Unix socket.
func (a Addr) Port() int {
	if a.Network != "tcp" {
		return 0
	}
	_, p, _ := net.SplitHostPort(a.Address)
	n, _ := strconv.Atoi(p)
	return n
}

// ParseAddr reads the bind formats of the manifest: `tcp://host:port`,
// `host:port`, a bare port (which means 127.0.0.1, so nothing is exposed by
// accident) and `unix:///path`.
func ParseAddr(s string) (Addr, error) {
	switch {
	case s == "":
		return Addr{}, fmt.Errorf("empty address")
	case strings.HasPrefix(s, "unix://"):
		path := strings.TrimPrefix(s, "unix://")
		if path == "" {
			return Addr{}, fmt.Errorf("%q: a unix address needs a path, as in unix:///tmp/app.sock", s)
		}
		return Addr{Network: "unix", Address: path}, nil
	case strings.Contains(s, "://") && !strings.HasPrefix(s, "tcp://"):
		scheme, _, _ := strings.Cut(s, "://")
		return Addr{}, fmt.Errorf("%q: unknown scheme %q; use tcp://host:port, host:port, a port, or unix:///path", s, scheme)
	}
	hostport := strings.TrimPrefix(s, "tcp://")
	if isDigits(hostport) {
		if err := checkPort(hostport); err != nil {
			return Addr{}, fmt.Errorf("%q: %w", s, err)
		}
		return Addr{Network: "tcp", Address: net.JoinHostPort("127.0.0.1", hostport)}, nil
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return Addr{}, fmt.Errorf("%q: want host:port (%v)", s, strings.TrimPrefix(err.Error(), "address "+hostport+": "))
	}
	if strings.ContainsAny(host, " /") {
		return Addr{}, fmt.Errorf("%q: bad host %q", s, host)
	}
	if err := checkPort(port); err != nil {
		return Addr{}, fmt.Errorf("%q: %w", s, err)
	}
	return Addr{Network: "tcp", Address: net.JoinHostPort(host, port)}, nil
}

func checkPort(p string) error {
	n, err := strconv.Atoi(p)
	if err != nil || !isDigits(p) || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 1 to 65535", p)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// conflicts reports whether two listeners would fight over one address: the
// same path, or the same TCP port where either host is a wildcard or both
// hosts are equal.
func (a Addr) conflicts(b Addr) bool {
	if a.Network != b.Network {
		return false
	}
	if a.Network == "unix" {
		return a.Address == b.Address
	}
	ha, pa, _ := net.SplitHostPort(a.Address)
	hb, pb, _ := net.SplitHostPort(b.Address)
	if pa != pb {
		return false
	}
	return ha == hb || isWildcardHost(ha) || isWildcardHost(hb)
}

func isWildcardHost(h string) bool {
	return h == "" || h == "0.0.0.0" || h == "::"
}
