package proxy

import (
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// Missing lists what a bind's routes use that this request path does not
// serve yet (the stages still on the net/http path in stages/): nothing
// when the bind can run here. Every stage has moved now, so it lists
// nothing; it goes away with the net/http path.
func Missing(m *manifest.Manifest, bt *routetree.BindTree) []string {
	return nil
}
