package upstream

import (
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// ConnectionNamed reports whether a Connection field of h names name: a
// field the sender meant for this hop only (RFC 9110 §7.6.1), which no
// proxy passes on.
func ConnectionNamed(h *pipeline.Header, name string) bool {
	for i := h.Index("Connection", 0); i >= 0; i = h.Index("Connection", i+1) {
		if httpsyntax.HasTokenFold(h.Value(i), name) {
			return true
		}
	}
	return false
}

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
		case hasConn && ConnectionNamed(src, f.Name):
			continue
		}
		dst.Add(f.Name, f.Value)
	}
}
