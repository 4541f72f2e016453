package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// pemPair makes a self-signed certificate for name and returns its PEM
// certificate and key.
func pemPair(t *testing.T, name string) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})
}

// TestCertificatesAreRereadWhenTheyChange: a renewal caught halfway (the
// new certificate beside the old key) keeps the loaded pair serving; once
// the key is written too, the new pair is served.
func TestCertificatesAreRereadWhenTheyChange(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "site.pem"), filepath.Join(dir, "site.key")
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	oldCert, oldKey := pemPair(t, "old.test")
	write(certPath, oldCert)
	write(keyPath, oldKey)
	c, err := LoadCertificates([]CertFile{{Cert: certPath, Key: keyPath}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	served := func(step string, want string, at time.Time) {
		t.Helper()
		c.refresh(at)
		got, err := c.Get(&tls.ClientHelloInfo{ServerName: want})
		if err != nil {
			t.Fatalf("%s: Get: %v", step, err)
		}
		if name := got.Leaf.Subject.CommonName; name != want {
			t.Errorf("%s: serves %s, want %s", step, name, want)
		}
	}
	served("loaded", "old.test", time.Now())

	newCert, newKey := pemPair(t, "new.test")
	write(certPath, newCert)
	served("halfway", "old.test", time.Now().Add(2*certCheckEvery))
	write(keyPath, newKey)
	served("within a second of the last check", "old.test", time.Now().Add(2*certCheckEvery))
	served("renewed", "new.test", time.Now().Add(4*certCheckEvery))

	if _, err := LoadCertificates([]CertFile{{Cert: certPath, Key: filepath.Join(dir, "missing.key")}}, nil); err == nil || !strings.Contains(err.Error(), "missing.key") {
		t.Errorf("LoadCertificates with a missing key: %v, want an error naming it", err)
	}
}

// TestACMEALPNIsClosedAfterItsHandshake: a TLS bind offering ALPNACME
// negotiates it with a client that offers only it (the CA validating
// TLS-ALPN-01), gives it the certificate and closes the connection after
// the handshake, serving nothing; a browser's ALPN still gets h2 first.
func TestACMEALPNIsClosedAfterItsHandshake(t *testing.T) {
	certPEM, keyPEM := pemPair(t, "a.test")
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan string, 1)
	s := &Server{Bind: "https", Handler: handlerFunc(func(x *pipeline.Exchange) { served <- x.Path; x.Response.WriteHeader(204) })}
	go s.Serve(WrapTLS(ln, func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &pair, nil }, true, ALPNACME))
	t.Cleanup(func() { s.Shutdown(context.Background()) })

	cases := []struct {
		name   string
		protos []string
		want   string
	}{
		{"the CA", []string{ALPNACME}, ALPNACME},
		{"a browser", []string{"h2", "http/1.1"}, "h2"},
	}
	for _, c := range cases {
		conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, ServerName: "a.test", NextProtos: c.protos})
		if err != nil {
			t.Fatalf("%s: handshake: %v", c.name, err)
		}
		if got := conn.ConnectionState().NegotiatedProtocol; got != c.want {
			t.Errorf("%s: negotiated %q, want %q", c.name, got, c.want)
		}
		if c.want == ALPNACME {
			conn.Write([]byte("GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n"))
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := conn.Read(make([]byte, 1)); err == nil || n > 0 {
				t.Errorf("%s: the connection answered (%d bytes, %v), want it closed", c.name, n, err)
			}
		}
		conn.Close()
	}
	select {
	case p := <-served:
		t.Errorf("a request on the CA's connection was served: %s", p)
	default:
	}
}
