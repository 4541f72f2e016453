package acme

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/caddyserver/certmagic"
	"github.com/mothership-go/mothership/manifest"
	"go.uber.org/zap"
)

// Certificates are one acme bind's certificates, as certmagic keeps them.
type Certificates struct {
	acme    manifest.ACME
	cfg     *certmagic.Config
	issuer  *certmagic.ACMEIssuer
	cache   *certmagic.Cache
	where   challenges
	storage string // where they are kept, for the log
}

// newCertificates makes a bind's certmagic config and issuer: the CA's
// challenges answered on the manifest's own binds (HTTP-01 on its plain
// bind, TLS-ALPN-01 on this one), never on a listener certmagic opens.
func newCertificates(m *manifest.Manifest, b *manifest.Bind, st certmagic.Storage, zl *zap.Logger) (*Certificates, error) {
	a := b.TLS.ACME
	c := &Certificates{acme: *a}
	c.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return c.cfg, nil },
		Logger:           zl,
	})
	c.cfg = certmagic.New(c.cache, certmagic.Config{Storage: st, Logger: zl})
	tmpl := certmagic.ACMEIssuer{CA: a.CA, Email: a.Email, Agreed: true, Logger: zl}
	if a.CARoot != "" {
		pool, err := rootPool(m.Path(a.CARoot))
		if err != nil {
			c.cache.Stop()
			return nil, err
		}
		tmpl.TrustedRoots = pool
	}
	c.where = challengesAt(m, b)
	tmpl.ListenHost, tmpl.AltTLSALPNPort, tmpl.AltHTTPPort = c.where.host, c.where.tlsPort, c.where.httpPort
	if tmpl.AltTLSALPNPort == 0 {
		tmpl.DisableTLSALPNChallenge = true
	}
	if tmpl.AltHTTPPort == 0 {
		tmpl.DisableHTTPChallenge = true
	}
	if tmpl.DisableHTTPChallenge && tmpl.DisableTLSALPNChallenge {
		c.cache.Stop()
		return nil, errors.New("no bind the CA could validate on: a TCP bind without tls (HTTP-01, port 80) or this TLS bind on TCP (TLS-ALPN-01, port 443)")
	}
	c.issuer = certmagic.NewACMEIssuer(c.cfg, tmpl)
	c.cfg.Issuers = []certmagic.Issuer{c.issuer}
	return c, nil
}

// rootPool reads the PEM roots a test CA's server is trusted with.
func rootPool(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca_root: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("ca_root %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// challenges is where the CA's challenges are answered: the TLS bind's
// host and port (TLS-ALPN-01), the plain bind's port (HTTP-01); 0 for
// none. certmagic listens there itself only when nothing does.
type challenges struct {
	host              string
	tlsPort, httpPort int
}

// challengesAt is where b's challenges are answered in m.
func challengesAt(m *manifest.Manifest, b *manifest.Bind) challenges {
	var c challenges
	c.host, c.tlsPort = hostPort(b.Addr)
	if plain := plainBind(m); plain != nil {
		_, c.httpPort = hostPort(plain.Addr)
	}
	return c
}

// plainBind is the bind HTTP-01 challenges are answered on: the TCP bind
// without tls on port 80, else the first TCP bind without tls (behind a
// port forward); nil when there is none.
func plainBind(m *manifest.Manifest) *manifest.Bind {
	var first *manifest.Bind
	for _, b := range m.Mothership.Binds {
		if b.TLS != nil || b.Addr.Network != "tcp" {
			continue
		}
		if b.Addr.Port() == 80 {
			return b
		}
		if first == nil {
			first = b
		}
	}
	return first
}

// hostPort splits a TCP bind's address; 0 for a Unix socket or port 0.
func hostPort(a manifest.Addr) (string, int) {
	if a.Network != "tcp" {
		return "", 0
	}
	host, _, _ := net.SplitHostPort(a.Address)
	return host, a.Port()
}

// Get picks the handshake's certificate: a TLS-ALPN-01 challenge's for
// the CA, else the managed certificate of the client's SNI name.
func (c *Certificates) Get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return c.cfg.GetCertificate(hello)
}

// Leaves returns the leaf of each domain's certificate that is loaded, in
// domain order; a domain not obtained yet has none.
func (c *Certificates) Leaves() []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range c.acme.Domains {
		for _, cert := range c.cache.AllMatchingCertificates(d) {
			leaf := cert.Leaf
			if leaf == nil && len(cert.Certificate.Certificate) > 0 {
				leaf, _ = x509.ParseCertificate(cert.Certificate.Certificate[0])
			}
			if leaf != nil {
				out = append(out, leaf)
				break
			}
		}
	}
	return out
}
