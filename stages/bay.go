package stages

// Routes to bays: the forward stage of a route whose target speaks the
// docking protocol instead of HTTP. A WebSocket bay (bay_ws.go) gets each
// client's messages over its one multiplexed link; an HTTP bay, or an
// upstream with protocol = "docking", gets each request over a link of its
// pool (bay_http.go).

import (
	"cmp"
	"net/http"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream/bays"
)

// DefaultBayRequestTimeout bounds a request to a docking upstream, which
// has no request_timeout of its own.
const DefaultBayRequestTimeout = bays.DefaultRequestTimeout

// answerBayUnreachable answers 502 with why the bay cannot take the
// request (not docked, its link gone).
func answerBayUnreachable(w ResponseWriter, err error) {
	newPlainAnswer(http.StatusBadGateway, "502 bad gateway: "+err.Error()).write(w)
}

// buildBay is the forward stage of a route to a bay or a docking upstream;
// ok is false for any other target.
func buildBay(c *compiler, r *routetree.Route) (s Stage, ok bool, err error) {
	var berth *docking.Berth
	timeout := DefaultBayRequestTimeout
	switch r.Target.Kind {
	case manifest.TargetBay:
		berth = c.yard.Berth(r.Target.Name)
		if berth == nil {
			// A server built without the fleet's yard (Options.Yard).
			return refuse{newPlainAnswer(http.StatusBadGateway, "502 bad gateway: bay "+r.Target.Name+" is not docked")}, true, nil
		}
		if b := c.bays[r.Target.Name]; b != nil {
			timeout = cmp.Or(b.RequestTimeout, timeout)
		}
	case manifest.TargetUpstream:
		u := c.upstreams[r.Target.Name]
		if u == nil || u.Protocol != manifest.UpstreamDocking {
			return nil, false, nil
		}
		a, ok := c.attached[u.Name]
		if !ok {
			a = attachedBay{berth: bays.NewAttachedBerth(u.Name, c.events), socket: u.Addrs[0].Address}
			c.attached[u.Name] = a
		}
		berth = a.berth
	default:
		return nil, false, nil
	}
	edit := pathEdit{strip: r.StripPrefix, from: r.RewritePrefix, to: r.Source.Rewrite}
	if berth.Version() == docking.VersionWebSocket {
		s := &bayWebSocket{berth: berth, edit: edit}
		c.webSockets = append(c.webSockets, s)
		return s, true, nil
	}
	return &bayHTTP{
		berth: berth, edit: edit, add: addHeaders(r), timeout: timeout,
		recycle: c.recycle, software: c.software, buffers: c.buffers, errorLog: c.errorLog,
		name: routeName(r),
	}, true, nil
}
