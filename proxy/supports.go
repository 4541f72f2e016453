package proxy

import (
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// Missing lists what a bind's routes use that this request path does not
// serve yet (the stages still on the net/http path in stages/): nothing
// when the bind can run here. It goes away when the last stage has moved.
func Missing(m *manifest.Manifest, bt *routetree.BindTree) []string {
	var miss []string
	for _, r := range bt.Routes {
		if r.Target.Kind == manifest.TargetBay || isDocking(m, r.Target) {
			miss = append(miss, "routes to bays")
			break
		}
	}
	return miss
}

// isDocking reports whether t is an upstream spoken to over docking.
func isDocking(m *manifest.Manifest, t manifest.Target) bool {
	if t.Kind != manifest.TargetUpstream {
		return false
	}
	for _, u := range m.Mothership.Upstreams {
		if u.Name == t.Name {
			return u.Protocol == manifest.UpstreamDocking
		}
	}
	return false
}
