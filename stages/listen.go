package stages

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// listen opens a bind's listener: TCP host:port or a Unix socket, wrapped
// for the PROXY protocol when the bind asks for it, and recording request
// heads when its routes fingerprint them.
func listen(b *manifest.Bind, lim limits, record bool) (net.Listener, error) {
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
	if b.ProxyProtocol {
		l = wrapProxyProtocol(l, lim.readHeader)
	}
	if record {
		l = recordHeads(l, lim.maxHeader)
	}
	return l, nil
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
