package control

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// ErrRunning is the cause of a Listen refused because another mothership
// answers on the socket.
var ErrRunning = errors.New("another mothership is running")

// ErrPathTooLong is the cause of a Listen refused because the path does
// not fit in a Unix socket address.
var ErrPathTooLong = errors.New("too long for a Unix socket")

// dialProbe is how long Listen waits for an existing socket to answer.
const dialProbe = time.Second

// listen opens the control socket at path, owner only; it must not run
// while something else in the process creates files. A socket left by a
// mothership that died is removed; one that answers is another instance's,
// and is left alone; a path that is not a socket is never removed.
func listen(path string) (*net.UnixListener, error) {
	if len(path) > manifest.MaxSocketPath {
		return nil, fmt.Errorf("control socket %s: %d bytes is %w (at most %d); set control_socket in [mothership] to a shorter path", path, len(path), ErrPathTooLong, manifest.MaxSocketPath)
	}
	if err := clearStale(path); err != nil {
		return nil, err
	}
	// The socket is born 0600: connecting needs write permission, which
	// this gives the owner alone. A chmod after the bind would leave a
	// moment in which anyone the umask lets in could connect, and stay
	// connected. The umask is the process's, so this runs before the fleet
	// starts anything.
	old := syscall.Umask(0o177)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	syscall.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("control socket %s: %w", path, err)
	}
	return ln, nil
}

// clearStale removes a dead socket at path; it fails when the path is
// taken by a live one or by anything that is not a socket.
func clearStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("control socket %s: the path exists and is not a socket; move it away or set control_socket in [mothership]", path)
	}
	c, err := net.DialTimeout("unix", path, dialProbe)
	if err == nil {
		c.Close()
		return fmt.Errorf("control socket %s answers: %w with this manifest; stop it first, or give this one another control_socket in [mothership]", path, ErrRunning)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("control socket %s: removing the stale socket: %w", path, err)
	}
	return nil
}
