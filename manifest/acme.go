package manifest

import (
	"net/mail"
	"net/netip"
	"os"
	"strings"
)

// LetsEncryptDirectory is the ACME directory of Let's Encrypt's production
// CA, the `ca` of an `acme` table that names none.
const LetsEncryptDirectory = "https://acme-v02.api.letsencrypt.org/directory"

// ACME is a bind's automatic certificates: `tls = { acme = { email,
// domains, ca, ca_root, storage } }`. The certificates are obtained from
// the CA when the bind opens, renewed before they expire and stapled with
// their OCSP answers.
type ACME struct {
	// Email is the ACME account's contact, which the CA writes to about
	// expiring certificates; "" registers an account without one.
	Email string
	// Domains are the DNS names the certificates are for, each its own
	// certificate; never IP addresses or wildcards (those need DNS-01).
	Domains []string
	// CA is the CA's ACME directory URL, https; LetsEncryptDirectory by
	// default.
	CA string
	// CARoot is a PEM file of the root(s) to trust the CA's own server
	// with, relative to the manifest's directory; "" trusts the system's
	// roots. A test CA (pebble) needs it.
	CARoot string
	// Storage is the directory the certificates, keys and the ACME account
	// are kept in, relative to the manifest's directory; "" keeps them in
	// PostgreSQL when the flagship election is postgres, else in a
	// directory of the manifest's own under $XDG_DATA_HOME.
	Storage string
	// Pos is where `acme` is declared.
	Pos Pos
}

// readACME reads `acme = { email, domains, ca, ca_root, storage }`.
func readACME(parent *table) *ACME {
	at := parent.sub("acme")
	if at == nil {
		return nil
	}
	a := &ACME{Pos: at.r.pos.of(at.path)}
	a.Email, _ = at.expanded("email")
	a.Domains = at.strs("domains")
	a.CA, _ = at.expanded("ca")
	a.CARoot, _ = at.expanded("ca_root")
	a.Storage, _ = at.expanded("storage")
	if !at.has("domains") {
		at.r.errorf(at.path, "missing domains: the names to get certificates for, domains = [\"example.com\"]")
	}
	checkACME(at, a)
	at.finish()
	if a.CA == "" {
		a.CA = LetsEncryptDirectory
	}
	return a
}

// checkACME checks what can be told of an acme table without the network:
// a contact that is an address, names that are DNS names, an https CA.
func checkACME(at *table, a *ACME) {
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
			at.r.errorf(at.key("email"), "%q is not an email address (name@example.com)", a.Email)
		}
	}
	if at.has("domains") && len(a.Domains) == 0 {
		at.r.errorf(at.key("domains"), "an empty list: give the names to get certificates for")
	}
	for i, d := range a.Domains {
		if why := badDomain(d); why != "" {
			at.r.errorf(at.key("domains"), "domains[%d] %q: %s", i, d, why)
		}
		a.Domains[i] = strings.ToLower(d)
	}
	if a.CA != "" && !strings.HasPrefix(a.CA, "https://") {
		at.r.errorf(at.key("ca"), "%q: the CA's ACME directory is an https:// URL", a.CA)
	}
}

// badDomain says why d cannot be an ACME name here, or "" when it can.
func badDomain(d string) string {
	if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
		return "an IP address; ACME certificates here are for DNS names"
	}
	if strings.HasPrefix(d, "*.") {
		return "a wildcard, which needs the DNS-01 challenge; only HTTP-01 and TLS-ALPN-01 are answered"
	}
	if len(d) > 253 || !strings.Contains(d, ".") {
		return "not a DNS name with a dot in it (example.com)"
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "not a DNS name: each dot-separated label is 1 to 63 letters, digits or '-', not starting or ending with '-'"
		}
		for _, c := range []byte(label) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "not a DNS name: only letters, digits, '-' and '.'"
			}
		}
	}
	return ""
}

// checkACMERoots checks every acme table's ca_root on this machine: a
// missing file is a machine warning, one without a PEM certificate an
// error.
func checkACMERoots(r *reader, a *ACME, m *Manifest) {
	if a.CARoot == "" {
		return
	}
	p := m.Path(a.CARoot)
	data, err := os.ReadFile(p)
	if err != nil {
		r.machinef(joinKey(a.Pos.Key, "ca_root"), "CA root file %s does not exist here", p)
		return
	}
	if !strings.Contains(string(data), "-----BEGIN CERTIFICATE-----") {
		r.errorf(joinKey(a.Pos.Key, "ca_root"), "CA root file %s holds no PEM certificate", p)
	}
}
