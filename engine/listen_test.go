package engine

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

func TestShareable(t *testing.T) {
	for _, c := range []struct {
		name string
		addr manifest.Addr
		want bool
	}{
		{"a fixed port", manifest.Addr{Network: "tcp", Address: "127.0.0.1:8080"}, true},
		{"every interface", manifest.Addr{Network: "tcp", Address: ":8080"}, true},
		{"port 0", manifest.Addr{Network: "tcp", Address: "127.0.0.1:0"}, false},
		{"no port", manifest.Addr{Network: "tcp", Address: "127.0.0.1"}, false},
		{"a Unix socket", manifest.Addr{Network: "unix", Address: "/run/ms.sock"}, true},
	} {
		if got := Shareable(c.addr); got != c.want {
			t.Errorf("%s: Shareable(%v) = %v, want %v", c.name, c.addr, got, c.want)
		}
	}
}

// TestListenShares: a listener opened with share accepts on share's
// socket, and keeps accepting once share is closed; for a Unix socket the
// file stays until the sharing listener, after HandOver, closes.
func TestListenShares(t *testing.T) {
	for _, addr := range []manifest.Addr{
		{Network: "tcp", Address: "127.0.0.1:0"},
		{Network: "unix", Address: filepath.Join(t.TempDir(), "s.sock")},
	} {
		b := &manifest.Bind{Name: "http", Addr: addr}
		_, first, err := Listen(b, DefaultReadHeaderTimeout, nil)
		if err != nil {
			t.Fatalf("%s: Listen: %v", addr.Network, err)
		}
		_, second, err := Listen(b, DefaultReadHeaderTimeout, first)
		if err != nil {
			t.Fatalf("%s: Listen sharing: %v", addr.Network, err)
		}
		if first.Addr().String() != second.Addr().String() {
			t.Errorf("%s: the sharing listener is at %v, want %v", addr.Network, second.Addr(), first.Addr())
		}
		HandOver(first, second)
		first.Close()
		c, err := net.Dial(addr.Network, second.Addr().String())
		if err != nil {
			t.Fatalf("%s: dialing once the first listener closed: %v", addr.Network, err)
		}
		if a, err := second.Accept(); err != nil {
			t.Errorf("%s: the sharing listener does not accept: %v", addr.Network, err)
		} else {
			a.Close()
		}
		c.Close()
		second.Close()
		if addr.Network == "unix" {
			if _, err := os.Stat(addr.Address); !os.IsNotExist(err) {
				t.Errorf("the socket file after the last close: %v, want it removed", err)
			}
		}
	}
}
