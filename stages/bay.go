package stages

// Routes to bays: the forward stage of a route whose target speaks the
// docking protocol instead of HTTP. A WebSocket bay (bay_ws.go) gets each
// client's messages over its one multiplexed link; an HTTP bay, or an
// upstream with protocol = "docking", gets each request over a link of its
// pool (bay_http.go).

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// DefaultBayRequestTimeout bounds a request to a docking upstream, which
// has no request_timeout of its own.
const DefaultBayRequestTimeout = 30 * time.Second

// NewYard returns the berths of every bay of m, for the fleet to dock their
// runs and for New (Options.Yard) to route to. log receives the berths'
// events.
func NewYard(m *manifest.Manifest, log func(level, msg string, kv ...any)) *docking.Yard {
	var cfgs []docking.BerthConfig
	for _, b := range m.Bays {
		cfgs = append(cfgs, berthConfig(b.Name, b.Type, b.Config, b.WorkerCount(), log))
	}
	return docking.NewYard(cfgs...)
}

func berthConfig(name, family string, config map[string]any, workers int, log func(string, string, ...any)) docking.BerthConfig {
	version := docking.VersionHTTP
	if family == "websocket" {
		version = docking.VersionWebSocket
	}
	return docking.BerthConfig{Name: name, Version: version, Config: mooredConfig(config), Workers: workers, Log: log}
}

// mooredConfig turns a bay's `config` table into the strings Moored
// carries: bays parse numbers out of strings themselves, and a number where
// a string belongs breaks their parse. Strings stay as written, numbers and
// booleans take their TOML spelling, arrays and tables their JSON.
func mooredConfig(config map[string]any) map[string]string {
	out := make(map[string]string, len(config))
	for _, k := range slices.Sorted(maps.Keys(config)) {
		switch v := config[k].(type) {
		case string:
			out[k] = v
		case int64:
			out[k] = strconv.FormatInt(v, 10)
		case float64:
			out[k] = strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(v)
		case time.Time:
			out[k] = v.Format(time.RFC3339Nano)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				b = []byte(fmt.Sprint(v))
			}
			out[k] = string(b)
		}
	}
	return out
}

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
		berth = c.attached[u.Name].berth
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
