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
		}
		dst.Add(f.Name, f.Value)
	}
}
