package upstream

import (
	"fmt"

	"github.com/mothership-go/mothership/manifest"
)

// ManifestResolver resolves targets from the manifest alone: a ship to its
// bind, an upstream to its addresses (bays have none: they dock). A ship
// whose port is assigned at launch (AutoPort) is unknown to it; the fleet
// resolves those and can fall back on this for the rest.
func ManifestResolver(m *manifest.Manifest) func(manifest.Target) ([]manifest.Addr, error) {
	ships := map[string]*manifest.Ship{}
	for _, s := range m.Ships {
		ships[s.Name] = s
	}
	upstreams := map[string]*manifest.Upstream{}
	for _, u := range m.Mothership.Upstreams {
		upstreams[u.Name] = u
	}
	return func(t manifest.Target) ([]manifest.Addr, error) {
		switch t.Kind {
		case manifest.TargetShip:
			s := ships[t.Name]
			if s == nil {
				return nil, fmt.Errorf("no ship %q", t.Name)
			}
			if s.Bind == nil {
				return nil, fmt.Errorf("ship %q has no address until it launches", t.Name)
			}
			return []manifest.Addr{*s.Bind}, nil
		case manifest.TargetUpstream:
			u := upstreams[t.Name]
			if u == nil {
				return nil, fmt.Errorf("no upstream %q", t.Name)
			}
			return u.Addrs, nil
		case manifest.TargetBay:
			return nil, fmt.Errorf("bay %q has no address: it docks", t.Name)
		}
		return nil, fmt.Errorf("unknown target kind %q", t.Kind)
	}
}
