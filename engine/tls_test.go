package engine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
