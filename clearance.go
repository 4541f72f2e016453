package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mothership-go/mothership/acme"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/stages/wasm"
)

// loadAndCompile loads the manifest and compiles its routes, gathering the
// problems of both passes into one report.
func loadAndCompile(path string) (*manifest.Manifest, *routetree.Tree, manifest.Problems, error) {
	file, err := manifest.Find(path)
	if err != nil {
		return nil, nil, nil, err
	}
	m, err := manifest.Load(file)
	var probs manifest.Problems
	if err != nil && !errors.As(err, &probs) {
		return nil, nil, nil, err
	}
	if m == nil {
		return nil, nil, probs, nil
	}
	tree, err := routetree.Compile(m)
	var more manifest.Problems
	if errors.As(err, &more) {
		probs = append(probs, more...)
	}
	m.Warnings = append(m.Warnings, tree.Warnings...)
	m.Warnings = append(m.Warnings, acme.Check(m, os.Getenv)...)
	probs = append(probs, wasm.Check(context.Background(), m)...)
	probs.Sort()
	return m, tree, probs, nil
}

// printProblems writes every error and warning and returns whether there
// were errors.
func printProblems(w io.Writer, m *manifest.Manifest, probs manifest.Problems) bool {
	all := probs
	if m != nil {
		all = append(all, m.Warnings...)
		all.Sort()
	}
	for _, p := range all {
		fmt.Fprintln(w, p.Error())
	}
	return len(probs) > 0
}

func clearanceCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("clearance", stderr)
	path := manifestFlag(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	m, tree, ok := loadForCommand("clearance", *path, "cleared", stderr)
	if !ok {
		return exitUsage
	}
	writeSummary(stdout, m, tree)
	return 0
}

// loadForCommand loads and compiles the manifest for a command and prints
// every problem and warning to stderr; ok is false when there were errors,
// and the last line then says the manifest was not verb.
func loadForCommand(cmd, path, verb string, stderr io.Writer) (*manifest.Manifest, *routetree.Tree, bool) {
	m, tree, probs, err := loadAndCompile(path)
	if err != nil {
		fmt.Fprintf(stderr, "mothership %s: %v\n", cmd, err)
		return nil, nil, false
	}
	if m != nil {
		if p, empty := nothingToRun(m); empty {
			probs = append(probs, p)
		}
	}
	if printProblems(stderr, m, probs) {
		fmt.Fprintf(stderr, "%s: not %s: %s\n", manifestName(m, probs), verb, plural(len(probs), "problem"))
		return nil, nil, false
	}
	return m, tree, true
}

func manifestName(m *manifest.Manifest, probs manifest.Problems) string {
	if m != nil {
		return m.File
	}
	return probs[0].File
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// acmeStorage says where an acme bind's certificates are kept.
func acmeStorage(m *manifest.Manifest, a *manifest.ACME) string {
	if dir, ok := acme.StorageDir(m, a, os.Getenv); ok {
		return dir
	}
	return "PostgreSQL (the flagship election's database)"
}

// writeSummary prints what the manifest will launch and where traffic goes.
func writeSummary(w io.Writer, m *manifest.Manifest, tree *routetree.Tree) {
	fmt.Fprintf(w, "%s: cleared (%s form)\n", m.File, m.Dialect)
	var binds []string
	for _, b := range m.Mothership.Binds {
		s := b.Name + " " + b.Addr.String()
		if b.ProxyProtocol.Enabled {
			s += " (PROXY protocol)"
		}
		switch {
		case b.TLS != nil && b.TLS.ACME != nil:
			s += " (TLS, automatic certificates for " + strings.Join(b.TLS.ACME.Domains, ", ") + " from " + b.TLS.ACME.CA + ", kept in " + acmeStorage(m, b.TLS.ACME) + ")"
		case b.TLS != nil:
			s += " (TLS, " + plural(len(b.TLS.Certs), "certificate") + ")"
		}
		binds = append(binds, s)
	}
	line(w, "binds", len(binds), binds)
	writeFleet(w, m)
	writeTraffic(w, m, tree)
	var jobs []string
	for _, j := range m.Mothership.Prelaunch {
		jobs = append(jobs, j.Name)
	}
	line(w, "prelaunch", len(jobs), jobs)
	var ups []string
	for _, u := range m.Mothership.Uplinks {
		ups = append(ups, u.Name)
	}
	line(w, "uplinks", len(ups), ups)
	var mods []string
	for _, md := range m.Modules {
		how := md.Phase
		if md.ABI == manifest.ABIHTTPWasm {
			how = "http-wasm" // both phases
		}
		mods = append(mods, md.Name+" ("+how+")")
	}
	line(w, "modules", len(mods), mods)
	if m.Mothership.Flagship.Enabled {
		fmt.Fprintf(w, "  %-10s %s election\n", "flagship", m.Mothership.Flagship.Election)
	}
	if n := len(machineProblems(m)); n > 0 {
		fmt.Fprintf(w, "  %s above concern this machine: `run` refuses what is missing\n", plural(n, "warning"))
	}
	if n := len(m.Warnings) - len(machineProblems(m)); n > 0 {
		them := "them"
		if n == 1 {
			them = "it"
		}
		fmt.Fprintf(w, "  %s above: `run` goes ahead despite %s\n", plural(n, "warning"), them)
	}
}

// writeFleet prints the ships and bays.
func writeFleet(w io.Writer, m *manifest.Manifest) {
	var ships []string
	for _, s := range m.Ships {
		where := "no port"
		switch {
		case s.Bind != nil:
			where = s.Bind.String()
		case s.AutoPort:
			where = "a free port, passed as $PORT"
		}
		kind := ""
		if s.Oneshot {
			kind = ", oneshot"
		}
		if !s.Critical {
			kind += ", not critical"
		}
		ships = append(ships, fmt.Sprintf("%s [%s] on %s%s", s.Name, s.Group, where, kind))
	}
	line(w, "ships", len(ships), ships)
	var bays []string
	for _, b := range m.Bays {
		bays = append(bays, fmt.Sprintf("%s [%s]", b.Name, b.Type))
	}
	line(w, "bays", len(bays), bays)
}

// writeTraffic prints the upstream pools and the routes per bind.
func writeTraffic(w io.Writer, m *manifest.Manifest, tree *routetree.Tree) {
	var pools []string
	for _, u := range m.Mothership.Upstreams {
		addrs := make([]string, len(u.Addrs))
		for i, a := range u.Addrs {
			addrs[i] = a.String()
		}
		how := u.Strategy
		if u.Protocol == manifest.UpstreamDocking {
			how = "docking"
		}
		pools = append(pools, fmt.Sprintf("%s [%s] %s", u.Name, how, strings.Join(addrs, " ")))
	}
	line(w, "upstreams", len(pools), pools)
	var routes []string
	for _, bt := range tree.Binds {
		if len(bt.Routes) > 0 {
			routes = append(routes, fmt.Sprintf("%s %d", bt.Bind.Name, len(bt.Routes)))
		}
	}
	line(w, "routes", len(m.Routes()), routes)
}

func line(w io.Writer, label string, n int, items []string) {
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "  %-10s %d: %s\n", label, n, strings.Join(items, ", "))
}
