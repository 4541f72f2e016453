package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultHSTS is `hsts = true`: browsers keep to HTTPS for the host for a
// year, its subdomains left as they are (adding them, or preload, is a
// promise the operator makes with a string of their own).
const DefaultHSTS = "max-age=31536000"

// readHTTPSPolicy reads a bind's `redirect_https` (a plain bind sends
// every request to a TLS bind) and `hsts` (a TLS bind asks browsers to
// keep to HTTPS). Which bind `redirect_https = true` means is known once
// every bind is read (checkRedirects).
func readHTTPSPolicy(bt *table, b *Bind) {
	if v, ok := bt.get("redirect_https"); ok {
		switch x := v.(type) {
		case bool:
			b.redirectOnly = x
		case string:
			b.RedirectHTTPS = x
		default:
			bt.typeErr("redirect_https", `true (to the manifest's only TLS bind) or the name of a TLS bind`, v)
		}
		if bt.has("tls") && (b.redirectOnly || b.RedirectHTTPS != "") {
			bt.r.errorf(bt.key("redirect_https"), "redirect_https is for a plain bind: this one serves HTTPS itself (for HSTS, write hsts = true)")
		}
	}
	v, ok := bt.get("hsts")
	if !ok {
		return
	}
	switch x := v.(type) {
	case bool:
		if x {
			b.HSTS = DefaultHSTS
		}
	case string:
		if err := checkHSTS(x); err != nil {
			bt.r.errorf(bt.key("hsts"), "%v", err)
			return
		}
		b.HSTS = x
	default:
		bt.typeErr("hsts", `true (max-age of a year) or a Strict-Transport-Security value ("max-age=63072000; includeSubDomains")`, v)
		return
	}
	if b.HSTS != "" && !bt.has("tls") {
		bt.r.errorf(bt.key("hsts"), "hsts is for a TLS bind: browsers ignore Strict-Transport-Security over plain HTTP (RFC 6797 §8.1); on a plain bind, redirect_https sends them to HTTPS")
	}
}

// checkHSTS accepts a Strict-Transport-Security value that starts with its
// max-age in seconds and holds nothing a header may not.
func checkHSTS(v string) error {
	age, _, _ := strings.Cut(v, ";")
	digits, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(age)), "max-age=")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return fmt.Errorf("hsts %q: a Strict-Transport-Security value starts with max-age=<seconds> (\"max-age=31536000; includeSubDomains\")", v)
	}
	for _, c := range v {
		if c < ' ' || c == 0x7f {
			return fmt.Errorf("hsts %q: a control character is not allowed in a header value", v)
		}
	}
	return nil
}

// checkRedirects resolves each plain bind's redirect_https to the TLS bind
// it sends requests to, and warns about routes that a redirect hides.
func checkRedirects(r *reader, m *Manifest) {
	var tlsBinds []string
	for _, b := range m.Mothership.Binds {
		if b.TLS != nil {
			tlsBinds = append(tlsBinds, b.Name)
		}
	}
	for _, b := range m.Mothership.Binds {
		key := b.Pos.Key + ".redirect_https"
		switch {
		case b.redirectOnly && len(tlsBinds) == 1:
			b.RedirectHTTPS = tlsBinds[0]
		case b.redirectOnly && len(tlsBinds) == 0:
			r.errorf(key, "redirect_https = true needs a bind with tls to send requests to, and the manifest has none")
		case b.redirectOnly:
			r.errorf(key, "redirect_https = true: which TLS bind? there are %d (%s); name one, redirect_https = %q", len(tlsBinds), quoteList(tlsBinds), tlsBinds[0])
		case b.RedirectHTTPS != "" && len(tlsBinds) == 0:
			r.errorf(key, "redirect_https = %q: the manifest has no bind with tls to send requests to", b.RedirectHTTPS)
		case b.RedirectHTTPS != "" && !slices.Contains(tlsBinds, b.RedirectHTTPS):
			r.errorf(key, "redirect_https = %q: no TLS bind of that name%s; TLS binds: %s", b.RedirectHTTPS, didYouMean(b.RedirectHTTPS, tlsBinds), quoteList(tlsBinds))
		}
	}
	for _, rt := range m.Routes() {
		for _, b := range m.Mothership.Binds {
			if b.Name == rt.Bind && b.RedirectHTTPS != "" {
				r.warnf(rt.Pos.Key+".bind", "the route is on bind %s, whose redirect_https sends every request to %s: it is never reached", b.Name, b.RedirectHTTPS)
			}
		}
	}
}
