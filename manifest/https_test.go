package manifest_test

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// TestRedirectAndHSTS: redirect_https = true means the only TLS bind,
// hsts = true a year, a string is kept as written, and a route on a
// redirecting bind is a warning on its line (it is never reached).
func TestRedirectAndHSTS(t *testing.T) {
	doc := `[mothership.bind]
http = { addr = "0.0.0.0:80", redirect_https = true }
https = { addr = "0.0.0.0:443", tls = { cert = "a.pem", key = "a.key" }, hsts = true }
admin = { addr = "0.0.0.0:8443", tls = { cert = "a.pem", key = "a.key" }, hsts = "max-age=600; includeSubDomains" }
plain = { addr = "0.0.0.0:81", redirect_https = "admin" }

[[fleet.web]]
name = "web"
command = "web"
routes = [{ bind = "http", pattern = "/.*" }]
`
	m, err := manifest.Parse("ship-manifest.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err == nil {
		t.Fatal("two TLS binds and redirect_https = true: no error")
	}
	if !strings.Contains(err.Error(), "ship-manifest.toml:2") || !strings.Contains(err.Error(), "which TLS bind") {
		t.Errorf("the ambiguous redirect is not named on line 2: %v", err)
	}
	doc = strings.Replace(doc, `redirect_https = true`, `redirect_https = "https"`, 1)
	if m, err = manifest.Parse("ship-manifest.toml", []byte(doc), func(string) (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"http": {"https", ""}, "https": {"", manifest.DefaultHSTS}, "admin": {"", "max-age=600; includeSubDomains"}, "plain": {"admin", ""}}
	for _, b := range m.Mothership.Binds {
		if got := [2]string{b.RedirectHTTPS, b.HSTS}; got != want[b.Name] {
			t.Errorf("bind %s: redirect_https %q, hsts %q; want %q", b.Name, got[0], got[1], want[b.Name])
		}
	}
	found := false
	for _, w := range m.Warnings {
		if w.Line == 10 && strings.Contains(w.Message, "never reached") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning on line 10 about the route on the redirecting bind; warnings: %v", m.Warnings)
	}
}
