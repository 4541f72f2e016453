package stages

import (
	"net"
	"time"

	"github.com/pires/go-proxyproto"
)

// WrapProxyProtocol returns l accepting connections that open with a PROXY
// protocol v1 or v2 header, whose source address then becomes the
// connection's remote address, as well as plain connections. The header is
// read on the connection's first use, not in Accept, and within
// ReadHeaderTimeout, so a silent client holds neither the accept loop nor
// its connection for long.
func WrapProxyProtocol(l net.Listener) net.Listener {
	return wrapProxyProtocol(l, ReadHeaderTimeout)
}

func wrapProxyProtocol(l net.Listener, readHeader time.Duration) net.Listener {
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
