// Package sdnotify tells systemd how the service is doing, for a unit with
// Type=notify: READY=1 once it serves, STOPPING=1 when it drains, STATUS=
// lines for `systemctl status`. It speaks the datagram protocol of
// sd_notify(3) directly, so it needs no cgo and no libsystemd.
package sdnotify

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// Env is the variable systemd sets to the socket it listens on.
const Env = "NOTIFY_SOCKET"

// Notifier sends states to the socket it was made for; the zero Notifier
// (no socket: not run by systemd) sends nothing.
type Notifier struct {
	addr *net.UnixAddr
}

// FromEnv makes a Notifier for $NOTIFY_SOCKET and removes the variable from
// the environment, so that the processes this one starts do not inherit it
// and speak for it.
func FromEnv() (Notifier, error) {
	path := os.Getenv(Env)
	os.Unsetenv(Env)
	if path == "" {
		return Notifier{}, nil
	}
	// An address starting with @ is in the abstract namespace.
	if !strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "@") {
		return Notifier{}, fmt.Errorf("sdnotify: %s=%q is neither an absolute path nor an abstract socket", Env, path)
	}
	return Notifier{addr: &net.UnixAddr{Name: path, Net: "unixgram"}}, nil
}

// Enabled reports whether there is a socket to notify.
func (n Notifier) Enabled() bool { return n.addr != nil }

// Notify sends the states, such as "READY=1", as one datagram.
func (n Notifier) Notify(states ...string) error {
	if n.addr == nil {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(strings.Join(states, "\n") + "\n")); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}
