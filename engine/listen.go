package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/pires/go-proxyproto"

	"github.com/mothership-go/mothership/manifest"
)

// Listen opens a bind's listener: TCP host:port or a Unix socket (a stale
// socket file left by a mothership that did not shut down cleanly is
// removed first), accepting the PROXY protocol when the bind asks for it.
// The PROXY header is read within readHeader of a connection's first use.
func Listen(b *manifest.Bind, readHeader time.Duration) (net.Listener, error) {
	var l net.Listener
	var err error
	switch b.Addr.Network {
	case "unix":
		if err := removeStaleSocket(b.Addr.Address); err != nil {
			return nil, err
		}
		l, err = net.Listen("unix", b.Addr.Address)
	case "tcp":
		l, err = net.Listen("tcp", b.Addr.Address)
	default:
		err = fmt.Errorf("unknown network %q", b.Addr.Network)
	}
	if err != nil {
		return nil, err
	}
	if b.ProxyProtocol.Enabled {
		l = WrapProxyProtocol(l, readHeader)
	}
	return l, nil
}

// WrapProxyProtocol returns l accepting connections that open with a PROXY
// protocol v1 or v2 header, whose source address then becomes the
// connection's remote address, as well as plain connections. The header is
// read on the connection's first use, not in Accept, and within
// readHeader, so a silent client holds neither the accept loop nor its
// connection for long.
func WrapProxyProtocol(l net.Listener, readHeader time.Duration) net.Listener {
	return &proxyproto.Listener{
		Listener:          l,
		ConnPolicy:        useHeaderWhenPresent,
		ReadHeaderTimeout: readHeader,
	}
}

// useHeaderWhenPresent is the USE policy: the library's default, REQUIRE,
// would refuse the plain connections a bind with proxy_protocol also takes
// (health checks, clients on the inside).
func useHeaderWhenPresent(proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
	return proxyproto.USE, nil
}

// removeStaleSocket removes a socket file that a mothership which did not
// shut down cleanly left behind, so that listening can succeed. A socket
// someone still answers on is in use, and anything but a socket is not
// ours to remove.
func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("%s is in use: something answers on it", path)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("removing the stale socket: %w", err)
	}
	return nil
}
