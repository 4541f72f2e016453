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
//
// With share set (the socket of a bind at the same address that a reload
// replaces), the new listener shares share's socket instead of opening
// the address again, which would fail while share is open; closing share
// first would refuse connections in between, and could not be undone if
// the reload then failed. Listen returns the listener to serve and the
// bare socket under it, for a later reload to share.
func Listen(b *manifest.Bind, readHeader time.Duration, share net.Listener) (ln, socket net.Listener, err error) {
	if share != nil {
		socket, err = shareSocket(share)
	} else {
		socket, err = openSocket(b.Addr)
	}
	if err != nil {
		return nil, nil, err
	}
	ln = socket
	if b.ProxyProtocol.Enabled {
		ln = WrapProxyProtocol(ln, readHeader, b.ProxyProtocol)
	}
	return ln, socket, nil
}

// openSocket listens on a, a TCP address or a Unix socket's path.
func openSocket(a manifest.Addr) (net.Listener, error) {
	switch a.Network {
	case "unix":
		if err := removeStaleSocket(a.Address); err != nil {
			return nil, err
		}
		return net.Listen("unix", a.Address)
	case "tcp":
		return net.Listen("tcp", a.Address)
	}
	return nil, fmt.Errorf("unknown network %q", a.Network)
}

// shareSocket returns a listener on a duplicate of l's socket: both accept
// from the same queue until one is closed, which leaves the other open.
// A Unix socket's file stays l's to remove until HandOver moves that duty.
func shareSocket(l net.Listener) (net.Listener, error) {
	fl, ok := l.(interface{ File() (*os.File, error) })
	if !ok {
		return nil, fmt.Errorf("sharing the socket of %s: a %T has no file", l.Addr(), l)
	}
	f, err := fl.File()
	if err != nil {
		return nil, fmt.Errorf("sharing the socket of %s: %w", l.Addr(), err)
	}
	defer f.Close()
	shared, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("sharing the socket of %s: %w", l.Addr(), err)
	}
	if u, ok := shared.(*net.UnixListener); ok {
		u.SetUnlinkOnClose(false) // until HandOver: from's file, not ours yet
	}
	return shared, nil
}

// HandOver moves the removal of a Unix socket's file on close from the
// socket from, which a reload retires, to to, which shares it (Listen
// with share): from's close must not remove the file that to still
// listens on, and to's last close should. TCP sockets have no file; for
// them HandOver does nothing.
func HandOver(from, to net.Listener) {
	f, okf := from.(*net.UnixListener)
	t, okt := to.(*net.UnixListener)
	if okf && okt {
		f.SetUnlinkOnClose(false)
		t.SetUnlinkOnClose(true)
	}
}

// Shareable reports whether a reload may hand a bind's socket at a to the
// bind that replaces it at the same address: every address but a TCP port
// 0, which asks for a new port each time.
func Shareable(a manifest.Addr) bool {
	if a.Network != "tcp" {
		return true
	}
	_, port, err := net.SplitHostPort(a.Address)
	return err == nil && port != "0"
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
