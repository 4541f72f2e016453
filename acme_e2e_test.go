package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pebbleBinaries are the paths of the test CA (pebble) and its DNS server
// (pebble-challtestsrv), the module's tools, by name. `go tool -n` builds
// a tool of go.mod into the build cache, where it stays for later runs,
// and prints its path there.
var pebbleBinaries = sync.OnceValues(func() (map[string]string, error) {
	paths := map[string]string{}
	for _, tool := range []string{"pebble", "pebble-challtestsrv"} {
		cmd := exec.Command("go", "tool", "-n", "github.com/letsencrypt/pebble/v2/cmd/"+tool)
		cmd.Dir = packageDir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("go tool -n %s: %v\n%s", tool, err, stderr.Bytes())
		}
		paths[tool] = strings.TrimSpace(string(out))
	}
	return paths, nil
})

// testCA is a pebble run for one test: its ACME directory, the PEM file
// that trusts its own HTTPS server, and its log.
type testCA struct {
	directory, caRoot, mgmt string
	log                     *voyageUnderTest
}

// startPebble starts pebble validating on httpPort (HTTP-01) and tlsPort
// (TLS-ALPN-01) of 127.0.0.1, where every name resolves through a
// pebble-challtestsrv DNS server of its own, so that a name like
// ship.example.net is validated against this machine.
func startPebble(t *testing.T, dir string, httpPort, tlsPort int) *testCA {
	t.Helper()
	bin, err := pebbleBinaries()
	if err != nil {
		t.Fatal(err)
	}
	dnsPort := freeUDPAndTCPPort(t)
	dns := startProcess(t, bin["pebble-challtestsrv"], nil,
		"-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort), "-management", fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		"-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	dns.waitFor(t, "Starting management server", 10*time.Second)

	ca := &testCA{caRoot: filepath.Join(dir, "pebble-server-ca.pem")}
	cert, key := writeServerCert(t, dir, ca.caRoot)
	acmePort, mgmtPort := freePort(t), freePort(t)
	ca.directory = fmt.Sprintf("https://127.0.0.1:%d/dir", acmePort)
	ca.mgmt = fmt.Sprintf("https://127.0.0.1:%d", mgmtPort)
	var cfg struct {
		Pebble map[string]any `json:"pebble"`
	}
	cfg.Pebble = map[string]any{
		"listenAddress": fmt.Sprintf("127.0.0.1:%d", acmePort), "managementListenAddress": fmt.Sprintf("127.0.0.1:%d", mgmtPort),
		"certificate": cert, "privateKey": key, "httpPort": httpPort, "tlsPort": tlsPort, "ocspResponderURL": "",
		// No Retry-After on what is pending: the client polls at its own
		// pace (every 250 ms) rather than a second apart.
		"keyAlgorithm": "ecdsa", "retryAfter": map[string]int{"authz": 0, "order": 0},
	}
	b, _ := json.Marshal(cfg)
	writeFile(t, filepath.Join(dir, "pebble.json"), string(b))
	ca.log = startProcess(t, bin["pebble"], []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0"},
		"-config", filepath.Join(dir, "pebble.json"), "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort))
	ca.log.waitFor(t, "Listening on", 10*time.Second)
	// pebble logs its addresses before it listens on them.
	for _, u := range []string{ca.directory, ca.mgmt} {
		waitAccepting(t, u, 10*time.Second)
	}
	return ca
}

// waitAccepting waits until the host of raw (a URL) takes connections.
func waitAccepting(t *testing.T, raw string, within time.Duration) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(within); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s takes no connections after %v: %v", u.Host, within, err)
		}
	}
}

// root is pebble's issuing root, from its management API.
func (ca *testCA) root(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(ca.caRoot)
	if err != nil {
		t.Fatal(err)
	}
	server := x509.NewCertPool()
	server.AppendCertsFromPEM(pem)
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: server}}}
	defer cl.CloseIdleConnections()
	resp, err := cl.Get(ca.mgmt + "/roots/0")
	if err != nil {
		t.Fatalf("pebble's root: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	pool := x509.NewCertPool()
	if resp.StatusCode != 200 || !pool.AppendCertsFromPEM(body) {
		t.Fatalf("pebble's root: status %d, %q", resp.StatusCode, body)
	}
	return pool
}

// issued counts the certificates pebble issued.
func (ca *testCA) issued() int {
	return strings.Count(ca.log.output(), "Issued certificate serial")
}

// startProcess runs a program a test needs beside the mothership (the CA,
// its DNS server) until the test ends.
func startProcess(t *testing.T, path string, env []string, args ...string) *voyageUnderTest {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	return followOutput(t, cmd, filepath.Base(path))
}

// freeUDPAndTCPPort is a port free on 127.0.0.1 for both UDP and TCP, as
// a DNS server listens on both.
func freeUDPAndTCPPort(t *testing.T) int {
	t.Helper()
	for range 20 {
		p := freePort(t)
		if c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			c.Close()
			return p
		}
	}
	t.Fatal("no port free for both UDP and TCP")
	return 0
}

// writeServerCert writes a CA to caPath and a certificate for 127.0.0.1
// that it signed, for pebble's own HTTPS server; it returns the
// certificate's and the key's paths.
func writeServerCert(t *testing.T, dir, caPath string) (string, string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pebble server CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caTmpl, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(key)
	writePEM(t, caPath, "CERTIFICATE", caDER)
	cert, keyPath := filepath.Join(dir, "pebble-server.pem"), filepath.Join(dir, "pebble-server.key")
	writePEM(t, cert, "CERTIFICATE", der)
	writePEM(t, keyPath, "PRIVATE KEY", kb)
	return cert, keyPath
}

// acmeServed waits until addr serves a certificate for name that roots
// trust, and returns its leaf.
func acmeServed(t *testing.T, addr, name string, roots *x509.CertPool, within time.Duration) *x509.Certificate {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: name, RootCAs: roots})
		if err == nil {
			defer c.Close()
			return c.ConnectionState().PeerCertificates[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no certificate for %s that pebble issued on %s within %v: %v", name, addr, within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// acmeGet fetches path over TLS from addr as name, trusting only roots.
func acmeGet(t *testing.T, addr, name, path string, roots *x509.CertPool) (int, string) {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: name, RootCAs: roots}, DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	cl := &http.Client{Transport: tr}
	defer cl.CloseIdleConnections()
	resp, err := cl.Get("https://" + name + path)
	if err != nil {
		t.Fatalf("GET https://%s%s at %s: %v", name, path, addr, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// acmeDomain is a name of the test's own, so that certificates kept in a
// shared database by earlier runs are never found.
func acmeDomain() string {
	return fmt.Sprintf("ship-%d.mothership-e2e.net", time.Now().UnixNano())
}

const acmeManifest = `
[mothership]
metrics_port = %d

[mothership.bind]
http = "127.0.0.1:%d"
https = { addr = "127.0.0.1:%d", tls = { acme = { email = "ops@mothership-e2e.net", domains = [%q], ca = %q, ca_root = "pebble-server-ca.pem" } } }

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "http", pattern = "/.*" }, { bind = "https", pattern = "/.*" }]
`

// TestACMECertificateFromPebble: a bind with tls.acme gets its
// certificate from a real ACME CA (pebble, started here), validated over
// HTTP-01 on the plain bind (pebble's TLS-ALPN-01 goes to a closed port:
// when acmez tries it first it fails and HTTP-01 follows; the
// shared-storage test below has TLS-ALPN-01 alone); a client that trusts only pebble's root gets a
// 200 through it, the ship sees https, the certificate is kept in the
// manifest's directory under $XDG_DATA_HOME, /metrics has its expiry, and
// reloads keep or renew the manager as acmeReloads says.
func TestACMECertificateFromPebble(t *testing.T) {
	t.Parallel()
	dir, data := t.TempDir(), t.TempDir()
	httpPort, httpsPort, metricsPort := freePort(t), freePort(t), freePort(t)
	ca := startPebble(t, dir, httpPort, freePort(t))
	domain := acmeDomain()
	writeManifest(t, dir, fmt.Sprintf(acmeManifest, metricsPort, httpPort, httpsPort, domain, ca.directory))
	summary := fmt.Sprintf("https 127.0.0.1:%d (TLS, automatic certificates for %s from %s, kept in %s", httpsPort, domain, ca.directory, filepath.Join(data, "mothership"))
	if code, stdout, stderr := binary(t, dir, []string{"XDG_DATA_HOME=" + data}, "clearance"); code != 0 || !strings.Contains(stdout, summary) {
		t.Fatalf("clearance: exit %d, want 0 and %q:\n%s%s", code, summary, stdout, stderr)
	}
	v := startRunIn(t, dir, []string{"XDG_DATA_HOME=" + data})
	v.waitFor(t, "phase=Running", 20*time.Second)

	addr := fmt.Sprintf("127.0.0.1:%d", httpsPort)
	roots := ca.root(t)
	leaf := acmeServed(t, addr, domain, roots, 60*time.Second)
	if len(leaf.DNSNames) != 1 || leaf.DNSNames[0] != domain || !strings.Contains(leaf.Issuer.CommonName, "Pebble") {
		t.Errorf("served certificate for %v issued by %q, want one for %s by pebble", leaf.DNSNames, leaf.Issuer.CommonName, domain)
	}
	if code, body := acmeGet(t, addr, domain, "/header?name=X-Forwarded-Proto", roots); code != 200 || body != "https" {
		t.Errorf("GET through the acme bind: %d %q, want 200 and https", code, body)
	}
	if n := ca.issued(); n != 1 {
		t.Errorf("pebble issued %d certificates, want 1", n)
	}
	if !regexp.MustCompile(`served key authentication .*challenge=http-01`).MatchString(v.output()) {
		t.Errorf("the log does not say the HTTP-01 challenge was answered")
	}
	stored, _ := filepath.Glob(filepath.Join(data, "mothership", "*", "certificates", "certificates", "*", domain, domain+".crt"))
	if len(stored) != 1 {
		t.Errorf("the certificate is not kept under $XDG_DATA_HOME/mothership/<hash>/certificates: %v", stored)
	} else if fi, err := os.Stat(filepath.Join(stored[0], "../../../..")); err != nil {
		t.Errorf("the storage directory: %v", err)
	} else if fi.Mode().Perm() != 0o700 {
		t.Errorf("the storage directory %s has mode %v, want 0700", fi.Name(), fi.Mode().Perm())
	}
	_, metrics := get(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	series := regexp.MustCompile(`mothership_tls_certificate_expiry_timestamp_seconds\{bind="https",name="` + regexp.QuoteMeta(domain) + `"\} (\S+)`).FindStringSubmatch(metrics)
	if series == nil {
		t.Fatalf("/metrics has no certificate expiry for %s", domain)
	}
	if at, err := strconv.ParseFloat(series[1], 64); err != nil || int64(at) != leaf.NotAfter.Unix() {
		t.Errorf("/metrics says the certificate expires at %s, want %d", series[1], leaf.NotAfter.Unix())
	}
	acmeReloads(t, v, ca, dir, roots, addr, domain, leaf.SerialNumber.String(), func(domains string) string {
		return strings.Replace(fmt.Sprintf(acmeManifest, metricsPort, httpPort, httpsPort, domain, ca.directory), fmt.Sprintf("[%q]", domain), domains, 1)
	})
}

// acmeReloads reloads the running mothership v twice: with its acme table
// unchanged (the certificate and its manager are kept: the same one is
// served, nothing is ordered), then with a second domain (a new manager
// loads the first domain's certificate from the storage and obtains one
// for the second).
func acmeReloads(t *testing.T, v *voyageUnderTest, ca *testCA, dir string, roots *x509.CertPool, addr, domain, serial string, manifest func(domains string) string) {
	t.Helper()
	reload := func(doc string) {
		t.Helper()
		writeManifest(t, dir, doc)
		if code, stdout, stderr := binary(t, dir, nil, "reload"); code != 0 {
			t.Fatalf("reload: exit %d:\n%s%s", code, stdout, stderr)
		}
	}
	managers := func() int { return strings.Count(v.output(), "INF automatic certificates bind=https storage=") }
	reload(manifest(fmt.Sprintf("[%q]", domain)))
	if got := acmeServed(t, addr, domain, roots, 5*time.Second).SerialNumber.String(); got != serial || ca.issued() != 1 || managers() != 1 {
		t.Errorf("after a reload that kept the acme table: serial %s (want %s), %d certificates issued (want 1), %d managers (want the first)", got, serial, ca.issued(), managers())
	}
	second := "www." + domain
	reload(manifest(fmt.Sprintf("[%q, %q]", domain, second)))
	acmeServed(t, addr, second, roots, 60*time.Second)
	if got := acmeServed(t, addr, domain, roots, 5*time.Second).SerialNumber.String(); got != serial || ca.issued() != 2 || managers() != 2 {
		t.Errorf("after a reload that added %s: %s served with serial %s (want %s), %d certificates issued (want 2), %d managers (want a second)", second, domain, got, serial, ca.issued(), managers())
	}
}

const sharedACMEManifest = `
[mothership]
control_socket = "$CONTROL_SOCKET"

[mothership.bind]
https = { addr = "$HTTPS_ADDR", tls = { acme = { domains = [%q], ca = %q, ca_root = "pebble-server-ca.pem" } } }

[mothership.flagship]
enabled = true
election = "postgres"
election_url = %q
lock_name = %q

[[fleet.web]]
name = "web"
command = "SHIPD"
args = ["serve"]
healthcheck = "/health"
routes = [{ bind = "https", pattern = "/.*" }]
`

// TestACMECertificateSharedThroughPostgreSQL: two motherships whose
// election is in PostgreSQL keep their certificates there and start at
// once: pebble issues one certificate, both serve it, and the CA's
// TLS-ALPN-01 validation, which reaches only the first one's bind, is
// answered by whichever asked (from the shared storage).
func TestACMECertificateSharedThroughPostgreSQL(t *testing.T) {
	t.Parallel()
	db := testDatabase(t)
	dir := t.TempDir()
	ports := []int{freePort(t), freePort(t)}
	ca := startPebble(t, dir, freePort(t), ports[0])
	domain := acmeDomain()
	t.Cleanup(func() { deleteACMEKeys(t, db, domain, ca.directory) })
	writeManifest(t, dir, fmt.Sprintf(sharedACMEManifest, domain, ca.directory, db, "acme-e2e-"+domain))
	var runs []*voyageUnderTest
	for i, port := range ports {
		env := []string{fmt.Sprintf("HTTPS_ADDR=127.0.0.1:%d", port), fmt.Sprintf("CONTROL_SOCKET=%s/control-%d.sock", dir, i)}
		runs = append(runs, startRunIn(t, dir, env))
	}
	roots := ca.root(t)
	var serials []string
	for i, port := range ports {
		runs[i].waitFor(t, "phase=Running", 30*time.Second)
		leaf := acmeServed(t, fmt.Sprintf("127.0.0.1:%d", port), domain, roots, 60*time.Second)
		serials = append(serials, leaf.SerialNumber.String())
		if code, _ := acmeGet(t, fmt.Sprintf("127.0.0.1:%d", port), domain, "/health", roots); code != 200 {
			t.Errorf("mothership %d: GET /health through the acme bind: %d, want 200", i, code)
		}
		if !strings.Contains(runs[i].output(), "postgresql table mothership_certmagic") {
			t.Errorf("mothership %d does not say its certificates are kept in PostgreSQL", i)
		}
	}
	if n := strings.Count(runs[0].output()+runs[1].output(), "certificate obtained successfully"); n != 1 {
		t.Errorf("the motherships obtained the certificate %d times, want once: the other finds it in the storage", n)
	}
	if serials[0] != serials[1] {
		t.Errorf("the motherships serve certificates %s and %s, want one", serials[0], serials[1])
	}
	if n := ca.issued(); n != 1 {
		t.Errorf("pebble issued %d certificates, want 1", n)
	}
}

// deleteACMEKeys removes what a test's motherships kept in PostgreSQL: the
// domain's certificate and the account at the test's own CA.
func deleteACMEKeys(t *testing.T, db, domain, directory string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Logf("cleaning up %s: %v", domain, err)
		return
	}
	defer conn.Close(ctx)
	ca := strings.NewReplacer("https://", "", ":", "-", "/", "-").Replace(directory)
	if _, err := conn.Exec(ctx, "DELETE FROM mothership_certmagic WHERE strpos(key, $1) > 0 OR strpos(key, $2) > 0", domain, ca); err != nil {
		t.Logf("cleaning up %s: %v", domain, err)
	}
}

// TestClearanceChecksACMEStorage: an acme bind whose storage cannot be a
// directory is a machine warning with its line, which clearance lets
// pass and run refuses.
func TestClearanceChecksACMEStorage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeManifest(t, dir, fmt.Sprintf(`
[mothership.bind]
http = "127.0.0.1:%d"
https = { addr = "127.0.0.1:%d", tls = { acme = { domains = ["ship.example.net"], storage = "ship-manifest.toml/certs" } } }
`, freePort(t), freePort(t)))
	want := fmt.Sprintf("ship-manifest.toml:4: warning: mothership.bind.https.tls.acme: the certificates cannot be kept in %s: %s is not a directory",
		filepath.Join(dir, "ship-manifest.toml", "certs"), filepath.Join(dir, "ship-manifest.toml"))
	code, _, stderr := binary(t, dir, nil, "clearance")
	if code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("clearance: exit %d, want 0 and %q:\n%s", code, want, stderr)
	}
	if code, _, stderr := binary(t, dir, nil, "run"); code == 0 || !strings.Contains(stderr, "the certificates cannot be kept in") {
		t.Errorf("run: exit %d, want a refusal naming the storage:\n%s", code, stderr)
	}
}
