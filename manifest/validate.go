package manifest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/internal/suggest"
)

// validate checks what no single table can: names and references across
// the manifest, dependency cycles, address conflicts; and warns about files
// and commands missing on this machine.
func validate(r *reader, m *Manifest) {
	checkNames(r, m)
	checkDependencies(r, m)
	checkBinds(r, m)
	checkRedirects(r, m)
	checkAddresses(r, m)
	checkFixedPorts(r, m)
	checkMachine(r, m)
	checkControlSocket(r, m)
	checkAccessLog(r, m)
	checkNotYet(r, m)
}

// checkFixedPorts warns about a ship that gets a free port as $PORT while
// its own command names a port (`puma -p 3000`, as the blog writes it): the
// proxy would knock on the wrong door.
func checkFixedPorts(r *reader, m *Manifest) {
	for _, s := range m.Ships {
		if !s.AutoPort {
			continue
		}
		if port := fixedPort(s.Args); port != "" {
			r.warnf(s.Pos.Key+".command", "ship %s gets a free port as $PORT, but its command says port %s; if it listens there, write bind = %q", s.Name, port, port)
		}
	}
}

// fixedPort finds `-p N`, `--port N` or `--port=N` in a command's arguments.
func fixedPort(args []string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--port="); ok && isDigits(v) {
			return v
		}
		if (a == "-p" || a == "--port") && i+1 < len(args) && isDigits(args[i+1]) {
			return args[i+1]
		}
	}
	return ""
}

func didYouMean(name string, candidates []string) string {
	if s := suggest.Closest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// unit is a ship or bay, the things depends_on can name.
type unit struct {
	name      string
	dependsOn []string
	pos       Pos
}

func units(m *Manifest) []unit {
	var us []unit
	for _, s := range m.Ships {
		us = append(us, unit{s.Name, s.DependsOn, s.Pos})
	}
	for _, b := range m.Bays {
		us = append(us, unit{b.Name, b.DependsOn, b.Pos})
	}
	return us
}

func jobs(m *Manifest) []unit {
	var us []unit
	for _, j := range m.Mothership.Prelaunch {
		us = append(us, unit{j.Name, j.DependsOn, j.Pos})
	}
	return us
}

func checkNames(r *reader, m *Manifest) {
	checkUnique(r, "ship or bay", units(m))
	checkUnique(r, "prelaunch job", jobs(m))
	var mods []unit
	for _, md := range m.Modules {
		mods = append(mods, unit{name: md.Name, pos: md.Pos})
	}
	checkUnique(r, "module", mods)
	var ups []unit
	for _, u := range m.Mothership.Upstreams {
		ups = append(ups, unit{name: u.Name, pos: u.Pos})
	}
	checkUnique(r, "upstream", ups)
}

func checkUnique(r *reader, kind string, us []unit) {
	first := map[string]Pos{}
	for _, u := range us {
		if u.name == "" {
			continue
		}
		if !isName(u.name) {
			r.errorf(u.pos.Key+".name", "%s name %q: use ASCII letters, digits, '-', '_' and '.', no spaces", kind, u.name)
		}
		if p, dup := first[u.name]; dup {
			r.errorf(u.pos.Key+".name", "%s %q is declared twice (first at line %d)", kind, u.name, p.Line)
			continue
		}
		first[u.name] = u.pos
	}
}

func checkDependencies(r *reader, m *Manifest) {
	checkGraph(r, units(m), "ship or bay", func(dep string) string {
		for _, j := range m.Mothership.Prelaunch {
			if j.Name == dep {
				return fmt.Sprintf("%q is a prelaunch job; those always finish before any ship starts, so drop it here", dep)
			}
		}
		return ""
	})
	checkGraph(r, jobs(m), "prelaunch job", func(string) string { return "" })
}

// checkGraph reports depends_on entries that name nothing, and every cycle,
// printed in full.
func checkGraph(r *reader, us []unit, kind string, explain func(string) string) {
	byName := map[string]unit{}
	var names []string
	for _, u := range us {
		if _, dup := byName[u.name]; !dup {
			byName[u.name] = u
			names = append(names, u.name)
		}
	}
	for _, u := range us {
		for i, dep := range u.dependsOn {
			key := u.pos.Key + ".depends_on[" + strconv.Itoa(i) + "]"
			if dep == u.name {
				r.errorf(key, "%q depends on itself", dep)
				continue
			}
			if _, ok := byName[dep]; !ok {
				if why := explain(dep); why != "" {
					r.errorf(key, "%s", why)
				} else {
					r.errorf(key, "no %s named %q%s", kind, dep, didYouMean(dep, names))
				}
			}
		}
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = onStack
		stack = append(stack, name)
		for _, dep := range byName[name].dependsOn {
			if _, ok := byName[dep]; !ok || dep == name {
				continue
			}
			switch state[dep] {
			case unvisited:
				visit(dep)
			case onStack:
				start := slices.Index(stack, dep)
				cycle := append(slices.Clone(stack[start:]), dep)
				u := byName[dep]
				r.errorf(u.pos.Key+".depends_on", "dependency cycle: %s", strings.Join(cycle, " → "))
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, n := range names {
		if state[n] == unvisited {
			visit(n)
		}
	}
}

func checkBinds(r *reader, m *Manifest) {
	var binds []string
	for _, b := range m.Mothership.Binds {
		binds = append(binds, b.Name)
	}
	for _, rt := range m.Routes() {
		if rt.Bind == "" {
			r.errorf(rt.Pos.Key, "the route has no bind and the manifest declares none; %s", declareBind(m, "http"))
		} else if !slices.Contains(binds, rt.Bind) {
			r.errorf(rt.Pos.Key+".bind", "%s", noBind(m, rt.Bind, binds))
		}
	}
	for _, sh := range m.Mothership.Shields {
		if sh.Bind != "" && !slices.Contains(binds, sh.Bind) {
			r.errorf(sh.Pos.Key+".bind", "%s", noBind(m, sh.Bind, binds))
		}
	}
	for _, d := range m.Mothership.StaticDirs {
		if d.Bind != "" && !slices.Contains(binds, d.Bind) {
			r.errorf(d.Pos.Key+".bind", "%s", noBind(m, d.Bind, binds))
		}
	}
}

// noBind says that no bind is called name, which binds there are, and how
// to declare the one that was meant.
func noBind(m *Manifest, name string, binds []string) string {
	declared := "the manifest declares no bind"
	if len(binds) > 0 {
		declared = "declared: " + quoteList(binds)
	}
	return fmt.Sprintf("no bind named %q%s; %s; %s", name, didYouMean(name, binds), declared, declareBind(m, name))
}

// declareBind says how to declare a bind called name in m's form: the
// blog's [config] makes only the one called http.
func declareBind(m *Manifest, name string) string {
	if m.Dialect == DialectBlog {
		if name == "http" {
			return `declare it with [config] bind = "0.0.0.0:8080"`
		}
		return fmt.Sprintf(`the blog's [config] form makes only the bind "http"; use it, or declare %s = "0.0.0.0:8080" under [mothership.bind]`, name)
	}
	return fmt.Sprintf(`declare it under [mothership.bind] as %s = "0.0.0.0:8080"`, name)
}

// checkAddresses finds two listeners on one address: two ships, a ship and
// a mothership bind, or the metrics port and either.
func checkAddresses(r *reader, m *Manifest) {
	type listener struct {
		what string
		addr Addr
		pos  Pos
	}
	var ls []listener
	for _, b := range m.Mothership.Binds {
		if b.Addr.Network != "" {
			ls = append(ls, listener{"bind " + b.Name, b.Addr, b.Pos})
		}
	}
	if a := m.Mothership.MetricsAddr; a.Network != "" {
		key := "mothership.metrics_addr"
		if m.Mothership.MetricsPort > 0 {
			key = "mothership.metrics_port"
		}
		ls = append(ls, listener{key[len("mothership."):], a, r.pos.of(key)})
	}
	for _, s := range m.Ships {
		if s.Bind != nil {
			ls = append(ls, listener{"ship " + s.Name, *s.Bind, r.pos.of(s.Pos.Key + ".bind")})
		}
	}
	for i, a := range ls {
		for _, b := range ls[:i] {
			if a.addr.conflicts(b.addr) {
				where := ""
				if b.pos.Line > 0 {
					where = fmt.Sprintf(" (line %d)", b.pos.Line)
				}
				r.errorf(a.pos.Key, "%s listens on %s, which %s%s already uses", a.what, a.addr, b.what, where)
			}
		}
	}
}

// checkMachine warns about what only the machine the manifest runs on can
// settle: clearance checks the manifest, and is often run elsewhere.
func checkMachine(r *reader, m *Manifest) {
	dir := filepath.Dir(m.File)
	check := func(key, cmd, cwd string) {
		if cmd == "" {
			return
		}
		if strings.ContainsRune(cmd, '/') {
			p := cmd
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, cwd, p)
			}
			if _, err := os.Stat(p); err != nil {
				r.machinef(key, "%s does not exist here", cmd)
			}
			return
		}
		if _, err := exec.LookPath(cmd); err != nil {
			r.machinef(key, "%s is not on PATH here", cmd)
		}
	}
	for _, s := range m.Ships {
		check(s.Pos.Key+".command", s.Command, s.Cwd)
	}
	for _, b := range m.Bays {
		check(b.Pos.Key+".command", b.Command, b.Cwd)
	}
	for _, j := range m.Mothership.Prelaunch {
		check(j.Pos.Key+".command", j.Command, j.Cwd)
	}
	exists := func(key, path, what string) {
		if path == "" {
			return
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if _, err := os.Stat(path); err != nil {
			r.machinef(key, "%s %s does not exist here", what, path)
		}
	}
	for _, md := range m.Modules {
		exists(md.Pos.Key, md.Wasm, "WASM file")
	}
	for _, d := range m.Mothership.StaticDirs {
		exists(d.Pos.Key+".path", d.Path, "static directory")
	}
	checkCerts(r, m)
}
