package bays

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/manifest"
)

// NewYard returns the berths of every bay of m, for the fleet to dock their
// runs and for the proxy (Options.Yard) to route to. log receives the
// berths' events.
func NewYard(m *manifest.Manifest, log func(level, msg string, kv ...any)) *docking.Yard {
	return docking.NewYard(berthConfigs(m, log)...)
}

// UpdateYard gives y a berth for each bay of m it lacks, and the bays it
// has their config from m (docking.Yard.Update), for a reload; the berths
// of bays m no longer has stay until Keep removes them.
func UpdateYard(y *docking.Yard, m *manifest.Manifest, log func(level, msg string, kv ...any)) {
	y.Update(berthConfigs(m, log)...)
}

// BayNames are the names of m's bays, for docking.Yard.Keep.
func BayNames(m *manifest.Manifest) []string {
	names := make([]string, len(m.Bays))
	for i, b := range m.Bays {
		names[i] = b.Name
	}
	return names
}

func berthConfigs(m *manifest.Manifest, log func(level, msg string, kv ...any)) []docking.BerthConfig {
	var cfgs []docking.BerthConfig
	for _, b := range m.Bays {
		cfgs = append(cfgs, berthConfig(b.Name, b.Type, b.Config, b.WorkerCount(), log))
	}
	return cfgs
}

// NewAttachedBerth returns the berth of an upstream with protocol =
// "docking": an HTTP bay the mothership did not launch, with no config and
// the links its Dock asks for.
func NewAttachedBerth(name string, log func(level, msg string, kv ...any)) *docking.Berth {
	return docking.NewBerth(berthConfig(name, "http", nil, 0, log))
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
