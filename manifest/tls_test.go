package manifest_test

import (
	"errors"
	"fmt"
	"strings"
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
		want      string // the addr and pairs, as "addr cert+key ...", or "addr acme email domains ca ca_root storage"
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
			name: "ACME with every key",
			doc:  "[mothership.bind.https]\naddr = \"0.0.0.0:443\"\n[mothership.bind.https.tls.acme]\nemail = \"ops@example.com\"\ndomains = [\"Example.com\", \"www.example.com\"]\nca = \"https://127.0.0.1:14000/dir\"\nca_root = \"pebble.pem\"\nstorage = \"certs\"\n",
			bind: "https", want: "0.0.0.0:443 acme ops@example.com example.com,www.example.com https://127.0.0.1:14000/dir pebble.pem certs",
		},
		{
			name: "ACME with Let's Encrypt by default",
			doc:  "[mothership.bind]\nhttps = { addr = \"0.0.0.0:443\", tls = { acme = { domains = [\"example.com\"] } } }\n",
			bind: "https", want: "0.0.0.0:443 acme  example.com " + manifest.LetsEncryptDirectory + "  ",
		},
		{
			name: "WarpDrive [tls] domains kept in acme_directory",
			doc:  "[server]\nhttp_port = 80\nhttps_port = 443\n[tls]\ndomains = [\"example.com\"]\nacme_directory = \"/var/lib/warpdrive/acme\"\n[upstreams.app]\nport = 3000\n",
			bind: "https", want: "127.0.0.1:443 acme  example.com " + manifest.LetsEncryptDirectory + "  /var/lib/warpdrive/acme",
		},
		{
			name: "WarpDrive [tls] acme_directory as the CA's URL",
			doc:  "[tls]\ndomains = [\"example.com\"]\nacme_directory = \"https://ca.example.net/directory\"\n[upstreams.app]\nport = 3000\n",
			bind: "https", want: "0.0.0.0:443 acme  example.com https://ca.example.net/directory  ",
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
				if a := b.TLS.ACME; a != nil {
					got += fmt.Sprintf(" acme %s %s %s %s %s", a.Email, strings.Join(a.Domains, ","), a.CA, a.CARoot, a.Storage)
				}
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
