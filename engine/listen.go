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
		l = WrapProxyProtocol(l, readHeader, b.ProxyProtocol)
	}
	return l, nil
}

// WrapProxyProtocol returns l accepting connections that open with a PROXY
// protocol v1 or v2 header, whose source address then becomes the
// connection's remote address, as well as plain connections. The header is
// read on the connection's first use, not in Accept, and within
// readHeader, so a silent client holds neither the accept loop nor its
// connection for long. With pp.Trusted set, only those peers' headers are
// believed: another peer's closes its connection (UntrustedRefuse) or is
// read and dropped, the peer's own address kept (UntrustedIgnore).
func WrapProxyProtocol(l net.Listener, readHeader time.Duration, pp manifest.ProxyProtocol) net.Listener {
	return &proxyproto.Listener{
		Listener:          l,
		ConnPolicy:        connPolicy(pp),
		ReadHeaderTimeout: readHeader,
	}
}

// connPolicy is USE for a trusted peer: the library's default, REQUIRE,
// would refuse the plain connections a bind with proxy_protocol also takes
// (health checks, clients on the inside). Another peer gets REJECT or
// IGNORE, as pp says.
func connPolicy(pp manifest.ProxyProtocol) proxyproto.ConnPolicyFunc {
	trusted := TrustedProxies(pp.Trusted)
	other := proxyproto.REJECT
	if pp.Untrusted == manifest.UntrustedIgnore {
		other = proxyproto.IGNORE
	}
	return func(o proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
		if len(trusted) == 0 {
			return proxyproto.USE, nil
		}
		if a, ok := o.Upstream.(*net.TCPAddr); ok && trusted.Contains(a.AddrPort().Addr()) {
			return proxyproto.USE, nil
		}
		return other, nil
	}
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
