package proxy

import (
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// Missing lists what a bind's routes use that this request path does not
// serve yet (the stages still on the net/http path in stages/): nothing
// when the bind can run here. It goes away when the last stage has moved.
func Missing(m *manifest.Manifest, bt *routetree.BindTree) []string {
	ms := &m.Mothership
	var miss []string
	add := func(cond bool, what string) {
		if cond {
			miss = append(miss, what)
		}
	}
	add(ms.Compression, "compression")
	for _, d := range ms.StaticDirs {
		if d.Bind == "" || d.Bind == bt.Bind.Name {
			miss = append(miss, "static_dirs")
			break
		}
	}
	return miss
}
