package fleet

import (
	"cmp"
	"path/filepath"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// The kinds of supervised processes.
const (
	kindShip = "ship"
	kindBay  = "bay"
	kindJob  = "prelaunch job"
)

// spec is everything needed to run one process, settled once in New.
type spec struct {
	name, group, kind string
	command           string // as written, resolved against PATH at each start
	args              []string
	dir               string // working directory; "" is the supervisor's
	env               []string
	deps              []string
	tags              []string
	critical, oneshot bool
	health            *manifest.Healthcheck
	bind              *manifest.Addr
	bootTimeout       time.Duration
	hold              time.Duration // hold_on_restart
	holdQueue         int
	sockets           string // a bay's socket directory
	// autoPort: the ship's port is drawn at launch (manifest.Ship.AutoPort),
	// so a reload can start its new process on another port beside the
	// old one, and roll it.
	autoPort bool
	// config is a bay's config table, which each of its runs gets when it
	// docks: a reload that changes it restarts the bay.
	config map[string]any
}

func shipSpec(m *manifest.Manifest, s *manifest.Ship, base []string) *spec {
	port := ""
	if s.Bind != nil && s.Bind.Network == "tcp" {
		port = portOf(*s.Bind)
	}
	extra := map[string]string{"MS_PID": supervisorPID(), "MS_SHIP": s.Name}
	if port != "" {
		extra["PORT"] = port
	}
	sp := processSpec(m, &s.Process, base, extra, port)
	sp.group, sp.kind = s.Group, kindShip
	sp.critical, sp.oneshot = s.Critical, s.Oneshot
	sp.health, sp.bind = s.Healthcheck, s.Bind
	sp.bootTimeout = cmp.Or(s.BootTimeout, defaultBootTimeout)
	sp.hold, sp.holdQueue = s.HoldOnRestart, s.HoldQueue
	sp.tags = s.Tags
	sp.autoPort = s.AutoPort
	return sp
}

func baySpec(m *manifest.Manifest, b *manifest.Bay, base []string, sockets string) *spec {
	sp := processSpec(m, &b.Process, base, bayEnv(b, sockets), "")
	sp.group, sp.kind = b.Type, kindBay
	sp.sockets = sockets
	sp.critical = b.Critical
	sp.tags = b.Tags
	sp.config = b.Config
	sp.bootTimeout = cmp.Or(b.BootTimeout, defaultBootTimeout)
	return sp
}

func jobSpecs(m *manifest.Manifest, base []string) []*spec {
	var out []*spec
	for _, j := range m.Mothership.Prelaunch {
		sp := processSpec(m, &j.Process, base, map[string]string{"MS_PID": supervisorPID(), "MS_SHIP": j.Name}, "")
		sp.kind = kindJob
		out = append(out, sp)
	}
	return out
}

// processSpec holds what ships, bays and jobs share; port, when set,
// replaces $PORT in the command line.
func processSpec(m *manifest.Manifest, p *manifest.Process, base []string, extra map[string]string, port string) *spec {
	dir := p.Cwd
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(m.Dir, dir)
	}
	args := make([]string, len(p.Args))
	for i, a := range p.Args {
		args[i] = expandPort(a, port)
	}
	return &spec{
		name:    p.Name,
		command: expandPort(p.Command, port),
		args:    args,
		dir:     dir,
		env:     mergeEnv(base, m.Mothership.Env, p.Env, extra),
		deps:    p.DependsOn,
	}
}
