package manifest_test

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

func TestParseAddr(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		network string
		address string
		port    int
		err     string // a word the error must hold; "" when the address is good
	}{
		{name: "tcp prefix", in: "tcp://127.0.0.1:3000", network: "tcp", address: "127.0.0.1:3000", port: 3000},
		{name: "host and port", in: "0.0.0.0:8080", network: "tcp", address: "0.0.0.0:8080", port: 8080},
		{name: "host name and port", in: "localhost:80", network: "tcp", address: "localhost:80", port: 80},
		{name: "bare port means loopback", in: "3000", network: "tcp", address: "127.0.0.1:3000", port: 3000},
		{name: "tcp prefix and bare port", in: "tcp://3000", network: "tcp", address: "127.0.0.1:3000", port: 3000},
		{name: "lowest port", in: "1", network: "tcp", address: "127.0.0.1:1", port: 1},
		{name: "highest port", in: "65535", network: "tcp", address: "127.0.0.1:65535", port: 65535},
		{name: "empty host means every interface", in: ":8080", network: "tcp", address: ":8080", port: 8080},
		{name: "IPv6 loopback", in: "[::1]:80", network: "tcp", address: "[::1]:80", port: 80},
		{name: "IPv6 wildcard with tcp prefix", in: "tcp://[::]:443", network: "tcp", address: "[::]:443", port: 443},
		{name: "unix socket", in: "unix:///tmp/app.sock", network: "unix", address: "/tmp/app.sock", port: 0},
		{name: "relative unix socket", in: "unix://run/app.sock", network: "unix", address: "run/app.sock", port: 0},

		{name: "empty", in: "", err: "empty address"},
		{name: "port above 65535", in: "127.0.0.1:99999", err: "1 to 65535"},
		{name: "bare port above 65535", in: "99999", err: "1 to 65535"},
		{name: "bare port 0", in: "0", err: "1 to 65535"},
		{name: "port 0", in: "0.0.0.0:0", err: "1 to 65535"},
		{name: "signed port", in: "127.0.0.1:+80", err: "1 to 65535"},
		{name: "negative port", in: "127.0.0.1:-1", err: "1 to 65535"},
		{name: "named port", in: "localhost:http", err: "1 to 65535"},
		{name: "unix without a path", in: "unix://", err: "needs a path"},
		{name: "unknown scheme", in: "ftp://x", err: `unknown scheme "ftp"`},
		{name: "http is not a bind scheme", in: "http://localhost:80", err: `unknown scheme "http"`},
		{name: "host without port", in: "localhost", err: "want host:port"},
		{name: "tcp prefix alone", in: "tcp://", err: "want host:port"},
		{name: "unbracketed IPv6", in: "::1:80", err: "want host:port"},
		{name: "trailing space", in: "3000 ", err: "want host:port"},
		{name: "space in host", in: "my host:80", err: "bad host"},
		{name: "path in host", in: "tcp://host/x:80", err: "bad host"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := manifest.ParseAddr(c.in)
			if c.err != "" {
				if err == nil {
					t.Fatalf("%s: ParseAddr(%q) = %+v, want an error with %q", c.name, c.in, a, c.err)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s: ParseAddr(%q) error %q lacks %q", c.name, c.in, err, c.err)
				}
				if c.in != "" && !strings.Contains(err.Error(), c.in) {
					t.Errorf("%s: ParseAddr(%q) error %q does not quote the input", c.name, c.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: ParseAddr(%q): %v", c.name, c.in, err)
			}
			if a.Network != c.network || a.Address != c.address {
				t.Errorf("%s: ParseAddr(%q) = %s %s, want %s %s", c.name, c.in, a.Network, a.Address, c.network, c.address)
			}
			if p := a.Port(); p != c.port {
				t.Errorf("%s: Port() = %d, want %d", c.name, p, c.port)
			}
			// String writes the address the way a manifest would, and reads back the same.
			back, err := manifest.ParseAddr(a.String())
			if err != nil || back != a {
				t.Errorf("%s: ParseAddr(%q) (from String) = %+v, %v; want %+v", c.name, a.String(), back, err, a)
			}
		})
	}
}
