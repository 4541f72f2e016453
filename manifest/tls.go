package manifest

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
)

// readTLS reads a bind's `tls`: one pair, `tls = { cert = "…", key = "…" }`,
// several chosen by SNI, `tls = [{ cert, key }, { cert, key }]`, or
// automatic certificates, `tls = { acme = { … } }`.
func readTLS(bt *table, v any) *TLS {
	t := &TLS{Pos: bt.r.pos.of(bt.key("tls"))}
	var pairs []*table
	switch x := v.(type) {
	case map[string]any:
		pt := bt.r.table(bt.key("tls"), x)
		if pt.has("acme") {
			t.ACME = readACME(pt)
			if pt.has("cert") || pt.has("key") {
				pt.r.errorf(pt.key("acme"), "acme beside cert and key: give either acme (automatic certificates) or cert and key files")
			}
			pt.get("cert")
			pt.get("key")
			pt.finish()
			return t
		}
		pairs = []*table{pt}
	case []any, []map[string]any:
		pairs = bt.tableList("tls", x)
		if len(pairs) == 0 {
			bt.r.errorf(bt.key("tls"), "an empty list of certificates: give at least one { cert, key }")
		}
	default:
		bt.typeErr("tls", `a table { cert = "…", key = "…" }, an array of them, or { acme = { … } }`, v)
		return nil
	}
	for _, pt := range pairs {
		if pt.has("acme") {
			pt.get("acme")
			pt.r.errorf(pt.key("acme"), "acme in a list of certificate pairs: automatic certificates stand alone, tls = { acme = { domains = [ … ] } }")
			pt.finish()
			continue
		}
		t.Certs = append(t.Certs, readCertFiles(pt))
	}
	return t
}

// readCertFiles reads one `{ cert, key }` pair.
func readCertFiles(pt *table) CertFiles {
	c := CertFiles{Pos: pt.r.pos.of(pt.path)}
	c.Cert, _ = pt.expanded("cert")
	c.Key, _ = pt.expanded("key")
	for _, k := range []string{"cert", "key"} {
		if !pt.has(k) {
			pt.r.errorf(pt.path, "missing %s: a TLS certificate needs cert and key files", k)
		}
	}
	pt.finish()
	return c
}

// checkCerts checks every TLS bind's certificate files on this machine: a
// missing file is a machine warning (clearance passes elsewhere, run
// refuses), a file that does not parse or a key that is not its
// certificate's is an error.
func checkCerts(r *reader, m *Manifest) {
	for _, b := range m.Mothership.Binds {
		if b.TLS == nil {
			continue
		}
		if b.TLS.ACME != nil {
			checkACMERoots(r, b.TLS.ACME, m)
		}
		for _, c := range b.TLS.Certs {
			if c.Cert == "" || c.Key == "" {
				continue // already reported as missing
			}
			present := true
			for _, f := range []struct{ key, what, path string }{{"cert", "certificate", c.Cert}, {"key", "key", c.Key}} {
				if _, err := os.Stat(m.Path(f.path)); err != nil {
					r.machinef(joinKey(c.Pos.Key, f.key), "%s file %s does not exist here", f.what, m.Path(f.path))
					present = false
				}
			}
			if !present {
				continue
			}
			if _, err := tls.LoadX509KeyPair(m.Path(c.Cert), m.Path(c.Key)); err != nil {
				r.errorf(c.Pos.Key, "certificate %s with key %s: %v", c.Cert, c.Key, err)
			}
		}
	}
}

// Path resolves a path the manifest names: a relative one is relative to
// the manifest's directory.
func (m *Manifest) Path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(m.Dir, p)
}

// readWarpTLS maps a WarpDrive file's `[tls]` (enabled, cert_path,
// key_path, domains, acme_directory) onto the https bind, which it adds
// on port 443 when the file has no https_port. `domains` asks for
// automatic certificates; `acme_directory` is the CA's directory when it
// is an https URL, else the directory they are kept in. A file with
// https_port and no [tls] gets a warning: that bind serves plain HTTP.
func readWarpTLS(root *table, m *Manifest) {
	var https *Bind
	for _, b := range m.Mothership.Binds {
		if b.Name == "https" {
			https = b
		}
	}
	tt := root.sub("tls")
	if tt == nil || !tt.boolean("enabled", true) {
		if https != nil {
			root.r.warnf(https.Pos.Key, "the https bind on %s serves plain HTTP: [tls] with cert_path and key_path would make it HTTPS", https.Addr)
		}
		if tt != nil {
			for _, k := range []string{"cert_path", "key_path", "domains", "acme_directory"} {
				tt.get(k)
			}
			tt.finish()
		}
		return
	}
	t := &TLS{Pos: tt.r.pos.of(tt.path)}
	if tt.has("domains") || tt.has("acme_directory") {
		t.ACME = readWarpACME(tt)
	} else {
		c := CertFiles{Pos: t.Pos}
		c.Cert, _ = tt.expanded("cert_path")
		c.Key, _ = tt.expanded("key_path")
		if c.Cert == "" || c.Key == "" {
			tt.r.errorf(tt.path, "[tls] needs cert_path and key_path, or domains for automatic certificates")
		}
		t.Certs = []CertFiles{c}
	}
	tt.finish()
	if https == nil {
		https = &Bind{Name: "https", Addr: Addr{Network: "tcp", Address: "0.0.0.0:443"}, Pos: t.Pos}
		m.Mothership.Binds = append(m.Mothership.Binds, https)
	}
	https.TLS = t
}

// readWarpACME reads [tls] domains and acme_directory as an acme table;
// cert_path and key_path beside them are ambiguous and refused.
func readWarpACME(tt *table) *ACME {
	a := &ACME{Pos: tt.r.pos.of(tt.path), CA: LetsEncryptDirectory}
	a.Domains = tt.strs("domains")
	if !tt.has("domains") {
		tt.r.errorf(tt.path, "acme_directory without domains: give the names to get certificates for, domains = [\"example.com\"]")
	}
	if dir, _ := tt.expanded("acme_directory"); strings.HasPrefix(dir, "https://") {
		a.CA = dir
	} else {
		a.Storage = dir
	}
	for _, k := range []string{"cert_path", "key_path"} {
		if tt.has(k) {
			tt.get(k)
			tt.r.errorf(tt.key(k), "%s beside domains: give either domains (automatic certificates) or cert_path and key_path", k)
		}
	}
	checkACME(tt, a)
	return a
}
