package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for name and its key as
// name.pem and name.key in dir, with serial as its serial number, and
// returns the certificate's DER bytes.
func writeCert(t *testing.T, dir, name string, serial int64) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: name},
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// The key first: a renewal that the proxy catches between the two
	// writes must not be served.
	writePEM(t, filepath.Join(dir, name+".key"), "PRIVATE KEY", kb)
	writePEM(t, filepath.Join(dir, name+".pem"), "CERTIFICATE", der)
	return der
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// servedCert makes a TLS handshake with addr asking for sni and returns the
// leaf certificate's serial number.
func servedCert(t *testing.T, addr, sni string) int64 {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: sni, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS handshake with %s for %s: %v", addr, sni, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// httpsGet fetches url over TLS, trusting any certificate.
func httpsGet(t *testing.T, url string) (int, string) {
	t.Helper()
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{ServerName: "a.test", InsecureSkipVerify: true}}}
	defer cl.CloseIdleConnections()
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const tlsManifest = `
[mothership.bind]
http = "127.0.0.1:%d"
https = { addr = "127.0.0.1:%d", tls = [
  { cert = "a.test.pem", key = "a.test.key" },
  { cert = "b.test.pem", key = "%s" },
] }

[mothership]
metrics_port = %d

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }, { bind = "https", pattern = "/.*" }]
`

// TestTLSBindServesHTTPSByNameAndRereadsItsCertificates: an https bind
// serves each name its certificate, tells the ship the request came over
// HTTPS, refuses TLS 1.1, and serves a renewed certificate without a
// restart.
func TestTLSBindServesHTTPSByNameAndRereadsItsCertificates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeCert(t, dir, "a.test", 1)
	writeCert(t, dir, "b.test", 2)
	httpPort, httpsPort, metricsPort := freePort(t), freePort(t), freePort(t)

	// A key that is not its certificate's is refused with the line.
	writeManifest(t, dir, fmt.Sprintf(tlsManifest, httpPort, httpsPort, "a.test.key", metricsPort))
	code, _, stderr := binary(t, dir, nil, "clearance")
	if code == 0 || !strings.Contains(stderr, "ship-manifest.toml:6: mothership.bind.https.tls[1]: certificate b.test.pem with key a.test.key: tls: private key does not match public key") {
		t.Errorf("clearance with a mismatched key: exit %d, want a failure naming line 6:\n%s", code, stderr)
	}
	// A missing file is named, with its line.
	writeManifest(t, dir, fmt.Sprintf(tlsManifest, httpPort, httpsPort, "c.test.key", metricsPort))
	code, _, stderr = binary(t, dir, nil, "clearance")
	if !strings.Contains(stderr, "ship-manifest.toml:6: warning: mothership.bind.https.tls[1].key: key file "+filepath.Join(dir, "c.test.key")+" does not exist here") {
		t.Errorf("clearance with a missing key (exit %d) does not name it:\n%s", code, stderr)
	}

	writeManifest(t, dir, fmt.Sprintf(tlsManifest, httpPort, httpsPort, "b.test.key", metricsPort))
	if code, stdout, stderr := binary(t, dir, nil, "clearance"); code != 0 || strings.Contains(stderr, "plain HTTP") || !strings.Contains(stdout, fmt.Sprintf("https 127.0.0.1:%d (TLS, 2 certificates)", httpsPort)) {
		t.Fatalf("clearance: exit %d, want 0 and no plain-HTTP warning:\n%s%s", code, stdout, stderr)
	}
	v := startRunIn(t, dir, nil)
	v.waitFor(t, "phase=Running", 20*time.Second)
	addr := fmt.Sprintf("127.0.0.1:%d", httpsPort)
	for _, c := range []struct {
		sni  string
		want int64
	}{{"a.test", 1}, {"b.test", 2}, {"other.test", 1}} {
		if got := servedCert(t, addr, c.sni); got != c.want {
			t.Errorf("SNI %s: served certificate %d, want %d", c.sni, got, c.want)
		}
	}
	if code, body := httpsGet(t, "https://"+addr+"/header?name=X-Forwarded-Proto"); code != 200 || body != "https" {
		t.Errorf("over TLS the ship sees X-Forwarded-Proto %q (status %d), want https", body, code)
	}
	if code, body := get(t, fmt.Sprintf("http://127.0.0.1:%d/header?name=X-Forwarded-Proto", httpPort)); code != 200 || body != "http" {
		t.Errorf("on the plain bind the ship sees X-Forwarded-Proto %q (status %d), want http", body, code)
	}
	if c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil {
		c.Close()
		t.Errorf("a TLS 1.1 handshake succeeded, want it refused")
	}

	// Each name's expiry is on /metrics, and the renewal moves it.
	expiry := func(name string) string {
		t.Helper()
		_, metrics := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
		m := regexp.MustCompile(`mothership_tls_certificate_expiry_timestamp_seconds\{bind="https",name="` + regexp.QuoteMeta(name) + `"\} (\S+)`).FindStringSubmatch(metrics)
		if m == nil {
			t.Fatalf("/metrics has no certificate expiry for %s", name)
		}
		return m[1]
	}
	before := expiry("a.test")
	expiry("b.test")

	time.Sleep(1100 * time.Millisecond) // a renewal's NotAfter is a second later
	writeCert(t, dir, "a.test", 3)
	deadline := time.Now().Add(5 * time.Second)
	for servedCert(t, addr, "a.test") != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the renewed certificate is not served within 5s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after := expiry("a.test"); after == before {
		t.Errorf("the renewed certificate's expiry on /metrics is still %s", before)
	}
}
