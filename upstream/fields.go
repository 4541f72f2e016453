package upstream

import (
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// copyFields appends the response fields of src that go on to the client
// to dst: not the hop-by-hop ones, nor those src's Connection names, nor
// Content-Length beside chunked framing. The engine writes framing and
// connection fields itself; an upgrade (101) keeps its Upgrade field.
func copyFields(dst, src *pipeline.Header, upgrade, chunked bool) {
	hasConn := src.Has("Connection")
	for _, f := range src.Fields() {
		switch {
		case upgrade && httpsyntax.EqualFold(f.Name, "upgrade"):
		case httpsyntax.IsHopByHop(f.Name):
			continue
		case chunked && httpsyntax.EqualFold(f.Name, "content-length"):
			continue
		case hasConn && fieldpolicy.ConnectionNamed(src, f.Name):
			continue
		case setByBind(dst, f.Name):
			continue
		}
		dst.Add(f.Name, f.Value)
	}
}

// setByBind reports whether the response field name is one the bind set
// before the route ran and dst has it: a TLS bind's hsts is the site's
// policy, and a ship's own Strict-Transport-Security beside it would
// leave browsers the first of two (RFC 6797 §8.1). The first byte is
// looked at first, so that other fields cost one comparison.
func setByBind(dst *pipeline.Header, name string) bool {
	return len(name) == len("strict-transport-security") && name[0]|0x20 == 's' &&
		httpsyntax.EqualFold(name, "strict-transport-security") && dst.Has(name)
}
