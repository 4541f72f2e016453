package engine

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// CertFile is one certificate chain and its key, as paths to PEM files.
type CertFile struct {
	Cert, Key string
}

// certCheckEvery is how often a handshake may look whether the certificate
// files changed: a renewed certificate is served within a second, and a
// busy bind stats its files once a second, not once a handshake.
const certCheckEvery = time.Second

// Certificates are a TLS bind's certificates, chosen per handshake by the
// client's SNI name and key types, and re-read when their files change, so
// that a renewed certificate needs no restart.
type Certificates struct {
	files   []CertFile
	log     *log.Logger
	current atomic.Pointer[certSet]
	mu      sync.Mutex // one re-read at a time
	checked atomic.Int64
}

// certSet is one loading of every pair, with the files' stamps it saw.
type certSet struct {
	certs  []tls.Certificate
	stamps []stamp
}

// stamp is what tells a changed file: its modification time and size.
type stamp struct {
	mod  time.Time
	size int64
}

// LoadCertificates reads every pair; an unreadable file or a key that is
// not its certificate's is an error naming the files. Failed re-reads
// later are logged to errLog (nil discards) and the loaded certificates
// kept.
func LoadCertificates(files []CertFile, errLog *log.Logger) (*Certificates, error) {
	if len(files) == 0 {
		return nil, errors.New("no certificate")
	}
	c := &Certificates{files: files, log: errLog}
	set, err := c.load()
	if err != nil {
		return nil, err
	}
	c.current.Store(set)
	c.checked.Store(time.Now().UnixNano())
	return c, nil
}

// load reads every pair and its files' stamps.
func (c *Certificates) load() (*certSet, error) {
	set := &certSet{}
	for _, f := range c.files {
		for _, p := range []string{f.Cert, f.Key} {
			fi, err := os.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("tls: %w", err)
			}
			set.stamps = append(set.stamps, stamp{fi.ModTime(), fi.Size()})
		}
		pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("tls: certificate %s with key %s: %w", f.Cert, f.Key, err)
		}
		set.certs = append(set.certs, pair)
	}
	return set, nil
}

// changed reports whether any file's stamp differs from the set's.
func (c *Certificates) changed(set *certSet) bool {
	i := 0
	for _, f := range c.files {
		for _, p := range []string{f.Cert, f.Key} {
			fi, err := os.Stat(p)
			if err != nil || !fi.ModTime().Equal(set.stamps[i].mod) || fi.Size() != set.stamps[i].size {
				return true
			}
			i++
		}
	}
	return false
}

// refresh re-reads the files when they changed, at most once per
// certCheckEvery; a handshake that finds another refreshing goes on with
// what is loaded.
func (c *Certificates) refresh(now time.Time) {
	last := c.checked.Load()
	if now.UnixNano()-last < int64(certCheckEvery) || !c.mu.TryLock() {
		return
	}
	defer c.mu.Unlock()
	c.checked.Store(now.UnixNano())
	if !c.changed(c.current.Load()) {
		return
	}
	set, err := c.load()
	if err != nil {
		// A renewal caught halfway (the certificate written, the key
		// not yet) fails here and succeeds on a later check.
		if c.log != nil {
			c.log.Printf("engine: keeping the loaded certificates: %v", err)
		}
		return
	}
	c.current.Store(set)
}

// Get picks the certificate for a handshake: the first one the client's
// SNI name and signature schemes fit, else the first one, as crypto/tls
// itself picks among Config.Certificates.
func (c *Certificates) Get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.refresh(time.Now())
	certs := c.current.Load().certs
	if len(certs) > 1 {
		for i := range certs {
			if hello.SupportsCertificate(&certs[i]) == nil {
				return &certs[i], nil
			}
		}
	}
	return &certs[0], nil
}

// ALPNACME is the ALPN name of the ACME TLS-ALPN-01 challenge (RFC 8737):
// a bind with automatic certificates offers it after its HTTP names, so
// only the CA's validation, which offers nothing else, negotiates it.
const ALPNACME = "acme-tls/1"

// WrapTLS returns l terminating TLS with the certificates get picks
// (Certificates.Get, or a reloadable choice of them): TLS 1.2 at least,
// Go's default cipher suites and curves, and by ALPN h2 then http/1.1, or
// only http/1.1 when http2 is false, then the extra names (ALPNACME). The
// handshake runs once the connection is served, within the engine's
// header timeout, not in Accept; a connection that negotiated ALPNACME
// is closed after its handshake.
func WrapTLS(l net.Listener, get func(*tls.ClientHelloInfo) (*tls.Certificate, error), http2 bool, extra ...string) net.Listener {
	protos := []string{"http/1.1"}
	if http2 {
		protos = []string{alpnH2, "http/1.1"}
	}
	protos = append(protos, extra...)
	return tls.NewListener(l, &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: get,
		NextProtos:     protos,
	})
}

// Leaves returns the leaf certificate of each loaded pair, in order.
func (c *Certificates) Leaves() []*x509.Certificate {
	certs := c.current.Load().certs
	out := make([]*x509.Certificate, len(certs))
	for i := range certs {
		out[i] = certs[i].Leaf
	}
	return out
}
