package manifest

import (
	"crypto/tls"
	"os"
	"path/filepath"
)

// readTLS reads a bind's `tls`: one pair, `tls = { cert = "…", key = "…" }`,
// or several chosen by SNI, `tls = [{ cert, key }, { cert, key }]`.
func readTLS(bt *table, v any) *TLS {
	t := &TLS{Pos: bt.r.pos.of(bt.key("tls"))}
	var pairs []*table
	switch x := v.(type) {
	case map[string]any:
		pairs = []*table{bt.r.table(bt.key("tls"), x)}
	case []any, []map[string]any:
		pairs = bt.tableList("tls", x)
		if len(pairs) == 0 {
			bt.r.errorf(bt.key("tls"), "an empty list of certificates: give at least one { cert, key }")
		}
	default:
		bt.typeErr("tls", `a table { cert = "…", key = "…" } or an array of them`, v)
		return nil
	}
	for _, pt := range pairs {
		if pt.has("acme") {
			pt.get("acme")
			pt.r.errorf(pt.key("acme"), "automatic certificates (ACME) are not supported yet; give cert and key files")
			pt.finish()
			continue
		}
		c := CertFiles{Pos: pt.r.pos.of(pt.path)}
		c.Cert, _ = pt.expanded("cert")
		c.Key, _ = pt.expanded("key")
		for _, k := range []string{"cert", "key"} {
			if !pt.has(k) {
				pt.r.errorf(pt.path, "missing %s: a TLS certificate needs cert and key files", k)
			}
		}
		pt.finish()
		t.Certs = append(t.Certs, c)
	}
	return t
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
// key_path) onto the https bind, which it adds on port 443 when the file
// has no https_port. `domains` and `acme_directory` ask for automatic
// certificates, which are refused as not supported yet. A file with
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
			tt.get("cert_path")
			tt.get("key_path")
			tt.get("domains")
			tt.get("acme_directory")
			tt.finish()
		}
		return
	}
	acme := false
	for _, k := range []string{"domains", "acme_directory"} {
		if tt.has(k) {
			tt.get(k)
			tt.r.errorf(tt.key(k), "%s asks for automatic certificates (ACME), which mothership does not support yet; give cert_path and key_path", k)
			acme = true
		}
	}
	c := CertFiles{Pos: tt.r.pos.of(tt.path)}
	c.Cert, _ = tt.expanded("cert_path")
	c.Key, _ = tt.expanded("key_path")
	if !acme && (c.Cert == "" || c.Key == "") {
		tt.r.errorf(tt.path, "[tls] needs cert_path and key_path")
	}
	tt.finish()
	if https == nil {
		https = &Bind{Name: "https", Addr: Addr{Network: "tcp", Address: "0.0.0.0:443"}, Pos: c.Pos}
		m.Mothership.Binds = append(m.Mothership.Binds, https)
	}
	https.TLS = &TLS{Certs: []CertFiles{c}, Pos: c.Pos}
}
