package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"go.uber.org/zap"
)

// parse reads a manifest of a test, failing it on any error.
func parse(t *testing.T, doc string) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Parse(t.TempDir()+"/ship-manifest.toml", []byte(doc), func(string) (string, bool) { return "", false })
	var probs manifest.Problems
	if errors.As(err, &probs) && len(probs.Errors()) == 0 {
		err = nil
	}
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

// acmeDoc is a manifest with an acme bind, its storage in dir.
func acmeDoc(plain, tlsAddr, domains, dir string) string {
	return fmt.Sprintf("[mothership.bind]\n%shttps = { addr = %q, tls = { acme = { domains = [%s], storage = %q } } }\n", plain, tlsAddr, domains, dir)
}

// TestNewBuildsOneConfigPerACMEBind: a manifest without acme gets no
// manager; one with an acme bind gets its certificates (none loaded
// before Start) and storage; Serves tells a reload whether the manager
// can be kept; an acme bind the CA could not validate on is refused.
func TestNewBuildsOneConfigPerACMEBind(t *testing.T) {
	ctx := context.Background()
	if mg, err := New(ctx, parse(t, "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n"), Options{}); mg != nil || err != nil {
		t.Errorf("no acme bind: %v, %v; want no manager and no error", mg, err)
	}
	dir := t.TempDir()
	m := parse(t, acmeDoc("http = \"127.0.0.1:8080\"\n", "127.0.0.1:8443", `"a.example.net"`, dir))
	mg, err := New(ctx, m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mg.Stop()
	c := mg.Certificates("https")
	if c == nil || mg.Certificates("http") != nil {
		t.Fatalf("certificates for https %v, for the plain bind %v; want only https's", c, mg.Certificates("http"))
	}
	if leaves := c.Leaves(); len(leaves) != 0 {
		t.Errorf("before Start: %d leaves, want none", len(leaves))
	}
	if got := mg.Storage()["https"]; got != dir {
		t.Errorf("storage %q, want %q", got, dir)
	}
	if c.issuer.DisableHTTPChallenge || c.issuer.DisableTLSALPNChallenge || c.issuer.AltHTTPPort != 8080 || c.issuer.AltTLSALPNPort != 8443 || c.issuer.ListenHost != "127.0.0.1" {
		t.Errorf("challenges on %s:%d (http-01 off %v) and :%d (tls-alpn-01 off %v), want the manifest's binds 8080 and 8443",
			c.issuer.ListenHost, c.issuer.AltHTTPPort, c.issuer.DisableHTTPChallenge, c.issuer.AltTLSALPNPort, c.issuer.DisableTLSALPNChallenge)
	}
	serves := []struct {
		name string
		doc  string
		want bool
	}{
		{"the same", acmeDoc("http = \"127.0.0.1:8080\"\n", "127.0.0.1:8443", `"a.example.net"`, dir), true},
		{"another name for the plain bind", acmeDoc("web = \"127.0.0.1:8080\"\n", "127.0.0.1:8443", `"a.example.net"`, dir), true},
		{"the plain bind on another port", acmeDoc("http = \"127.0.0.1:9090\"\n", "127.0.0.1:8443", `"a.example.net"`, dir), false},
		{"another domain", acmeDoc("", "127.0.0.1:8443", `"a.example.net", "b.example.net"`, dir), false},
		{"another storage", acmeDoc("", "127.0.0.1:8443", `"a.example.net"`, dir+"/x"), false},
		{"no acme", "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n", false},
	}
	for _, s := range serves {
		if got := mg.Serves(parse(t, s.doc)); got != s.want {
			t.Errorf("%s: Serves %v, want %v", s.name, got, s.want)
		}
	}
	var none *Manager
	if !none.Serves(parse(t, "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n")) {
		t.Error("no manager for a manifest without acme: Serves false, want true")
	}
	_, err = New(ctx, parse(t, acmeDoc("", "unix:///tmp/x.sock", `"a.example.net"`, dir)), Options{})
	if err == nil || !strings.Contains(err.Error(), "no bind the CA could validate on") || !strings.Contains(err.Error(), `bind "https" (line 2)`) {
		t.Errorf("an acme bind on a Unix socket without a plain bind: %v, want it refused with its line", err)
	}
}

// TestServeChallengeLeavesOtherRequests: only a GET under
// /.well-known/acme-challenge/ for a challenge under way is answered;
// anything else is left to the stages, with nothing written.
func TestServeChallengeLeavesOtherRequests(t *testing.T) {
	m := parse(t, acmeDoc("http = \"127.0.0.1:8080\"\n", "127.0.0.1:8443", `"a.example.net"`, t.TempDir()))
	mg, err := New(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mg.Stop()
	cases := []struct{ name, method, path string }{
		{"another path", "GET", "/index.html"},
		{"a POST to the challenge path", "POST", ChallengePath + "tok"},
		{"a token nobody asked for", "GET", ChallengePath + "tok"},
	}
	for _, c := range cases {
		rec := &pipelinetest.Recorder{}
		x := &pipeline.Exchange{Method: c.method, Path: c.path, Target: c.path, Host: "a.example.net", Response: rec}
		if mg.ServeChallenge(x) || rec.Code != 0 || len(rec.Body) != 0 {
			t.Errorf("%s: answered (status %d, %q), want it left alone", c.name, rec.Code, rec.Body)
		}
	}
	var none *Manager
	if none.ServeChallenge(&pipeline.Exchange{Method: "GET", Path: ChallengePath + "tok"}) {
		t.Error("no manager answered a challenge")
	}
}

// TestZapEntriesBecomeLogEvents: certmagic's zap entries reach the
// mothership's log as events at their level, prefixed, with their fields
// and those of With as key, value pairs in key order.
func TestZapEntriesBecomeLogEvents(t *testing.T) {
	type event struct {
		level, msg string
		kv         []any
	}
	var got []event
	zl := zapLogger(func(level, msg string, kv ...any) { got = append(got, event{level, msg, kv}) }).With(zap.String("bind", "https"))
	zl.Debug("d")
	zl.Info("obtained", zap.String("identifier", "a.example.net"), zap.Int("attempt", 2))
	zl.Warn("w")
	zl.Error("e", zap.Error(errors.New("boom")))
	want := []event{
		{"debug", "acme: d", []any{"bind", "https"}},
		{"info", "acme: obtained", []any{"bind", "https", "attempt", int64(2), "identifier", "a.example.net"}},
		{"warn", "acme: w", []any{"bind", "https"}},
		{"error", "acme: e", []any{"bind", "https", "error", "boom"}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events\n%v\nwant\n%v", got, want)
	}
	zapLogger(nil).Info("discarded") // a nil log discards, without a panic
}

// TestLoadServesWhatIsStored: a manager whose storage already has a
// domain's certificate (another mothership, or the manager a reload
// replaced, obtained it) serves it once Load returns, without the CA, and
// Leaves has it for /metrics.
func TestLoadServesWhatIsStored(t *testing.T) {
	m := parse(t, acmeDoc("http = \"127.0.0.1:8080\"\n", "127.0.0.1:8443", `"a.example.net", "b.example.net"`, t.TempDir()))
	mg, err := New(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mg.Stop()
	c := mg.Certificates("https")
	certPEM, keyPEM, notAfter := selfSigned(t, "a.example.net")
	ctx, ik := context.Background(), c.issuer.IssuerKey()
	for key, v := range map[string][]byte{
		certmagic.StorageKeys.SiteCert(ik, "a.example.net"):       certPEM,
		certmagic.StorageKeys.SitePrivateKey(ik, "a.example.net"): keyPEM,
		certmagic.StorageKeys.SiteMeta(ik, "a.example.net"):       []byte(`{"sans":["a.example.net"]}`),
	} {
		if err := c.cfg.Storage.Store(ctx, key, v); err != nil {
			t.Fatal(err)
		}
	}
	// certmagic logs a handshake's remote address: the hello needs a conn.
	conn, peer := net.Pipe()
	defer conn.Close()
	defer peer.Close()
	hello := &tls.ClientHelloInfo{ServerName: "a.example.net", Conn: conn}
	if _, err := c.Get(hello); err == nil {
		t.Fatal("a handshake before Load got a certificate, want none: nothing is loaded yet")
	}
	mg.Load(ctx)
	got, err := c.Get(hello)
	if err != nil || got.Leaf == nil || got.Leaf.DNSNames[0] != "a.example.net" {
		t.Fatalf("after Load: %v, %v; want the stored certificate", got, err)
	}
	leaves := c.Leaves()
	if len(leaves) != 1 || !leaves[0].NotAfter.Equal(notAfter) {
		t.Errorf("Leaves: %d, want the one stored, expiring %v", len(leaves), notAfter)
	}
}

// selfSigned makes a PEM certificate for name and its key.
func selfSigned(t *testing.T, name string) (certPEM, keyPEM []byte, notAfter time.Time) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notAfter = time.Now().Add(60 * 24 * time.Hour).Truncate(time.Second)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), notAfter
}
