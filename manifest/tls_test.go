package manifest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// TestTLSBindsAreRead: each way of writing a TLS bind gives the bind its
// certificate files in order, and the https bind of a WarpDrive file gets
// its [tls].
func TestTLSBindsAreRead(t *testing.T) {
	cases := []struct {
		name, doc string
		bind      string
		want      string // the addr and pairs, as "addr cert+key ..."
	}{
		{
			name: "one pair",
			doc:  "[mothership.bind]\nhttps = { addr = \"0.0.0.0:8443\", tls = { cert = \"a.pem\", key = \"a.key\" } }\n",
			bind: "https", want: "0.0.0.0:8443 a.pem+a.key",
		},
		{
			name: "pairs by SNI",
			doc:  "[mothership.bind]\nweb = { addr = \"0.0.0.0:8443\", tls = [{ cert = \"a.pem\", key = \"a.key\" }, { cert = \"/etc/b.pem\", key = \"/etc/b.key\" }] }\n",
			bind: "web", want: "0.0.0.0:8443 a.pem+a.key /etc/b.pem+/etc/b.key",
		},
		{
			name: "WarpDrive https_port with [tls]",
			doc:  "[server]\nhttp_port = 8080\nhttps_port = 8443\n[tls]\ncert_path = \"a.pem\"\nkey_path = \"a.key\"\n[upstreams.app]\nport = 3000\n",
			bind: "https", want: "127.0.0.1:8443 a.pem+a.key",
		},
		{
			name: "WarpDrive [tls] without https_port",
			doc:  "[tls]\nenabled = true\ncert_path = \"a.pem\"\nkey_path = \"a.key\"\n[upstreams.app]\nport = 3000\n",
			bind: "https", want: "0.0.0.0:443 a.pem+a.key",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := manifest.Parse("case.toml", []byte(c.doc), lookupFrom(nil))
			var probs manifest.Problems
			if errors.As(err, &probs) && len(probs.Errors()) > 0 || err != nil && !errors.As(err, &probs) {
				t.Fatalf("%s: %v", c.name, err)
			}
			for _, b := range m.Mothership.Binds {
				if b.Name != c.bind {
					continue
				}
				if b.TLS == nil {
					t.Fatalf("%s: bind %s has no TLS", c.name, b.Name)
				}
				got := b.Addr.Address
				for _, p := range b.TLS.Certs {
					got += fmt.Sprintf(" %s+%s", p.Cert, p.Key)
				}
				if got != c.want {
					t.Errorf("%s: got %q, want %q", c.name, got, c.want)
				}
				return
			}
			t.Errorf("%s: no bind %s", c.name, c.bind)
		})
	}
}
