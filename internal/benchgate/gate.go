package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// gate is one invocation of the gate.
type gate struct {
	opts           *options
	stdout, stderr io.Writer
	tmp            string
}

func (g *gate) note(format string, args ...any) {
	fmt.Fprintf(g.stdout, "bench-gate: "+format+"\n", args...)
}

// run runs the gate; pass is false when it fails.
func (g *gate) run(ctx context.Context) (pass bool, err error) {
	start := time.Now()
	free, err := readAllocFree(g.opts.allocFree)
	if err != nil {
		return false, err
	}
	pin, err := pinCPUs(g.opts.cpus)
	if err != nil {
		return false, err
	}
	root, err := git(ctx, ".", "rev-parse", "--show-toplevel")
	if err != nil {
		return false, err
	}
	if g.tmp, err = os.MkdirTemp("", "bench-gate-"); err != nil {
		return false, fmt.Errorf("making a temporary directory: %w", err)
	}
	defer os.RemoveAll(g.tmp)

	work := &tree{label: "working tree", root: root}
	if err := g.prepare(ctx, work, true); err != nil {
		return false, err
	}
	base, remove, err := g.baseTree(ctx, root)
	if err != nil {
		return false, err
	}
	if remove != nil {
		defer remove()
	}
	waitQuiet(ctx, g.opts.quietLoad, g.opts.quietWait, g.note)
	g.note("%d runs per side, -benchtime %v (end-to-end %v), %s", g.opts.count, g.opts.benchtime, g.opts.e2eTime, pin.desc)
	baseOuts, workOuts, err := g.interleave(ctx, base, work, pin)
	if err != nil {
		return false, err
	}
	pass, err = g.report(ctx, base, baseOuts, workOuts, free)
	g.note("took %v", time.Since(start).Round(time.Second))
	return pass, err
}

// prepare lists and builds a tree's benchmark packages.
func (g *gate) prepare(ctx context.Context, t *tree, mustBuild bool) error {
	micro, err := listPackages(ctx, t, g.opts.packages, false, g.note)
	if err != nil {
		return err
	}
	e2e, err := listPackages(ctx, t, g.opts.e2e, true, g.note)
	if err != nil {
		return err
	}
	t.pkgs = append(micro, e2e...)
	return compile(ctx, t, filepath.Join(g.tmp, "bin", fmt.Sprint(mustBuild)), mustBuild, g.note)
}

// baseTree resolves, checks out and builds the base; nil when it is not in
// the clone, which skips the comparison with a message that says so.
func (g *gate) baseTree(ctx context.Context, root string) (*tree, func(), error) {
	rev := g.opts.base
	if rev == "" {
		var err error
		if rev, err = defaultBase(ctx, root); err != nil {
			return nil, nil, err
		}
	}
	commit, found, why, err := resolveBase(ctx, root, rev, g.note)
	if err != nil {
		return nil, nil, err
	}
	if !found {
		g.note("COMPARISON SKIPPED: %s; only the alloc-free list is checked", why)
		return nil, nil, nil
	}
	dir, remove, err := addWorktree(ctx, root, commit)
	if err != nil {
		return nil, nil, err
	}
	t := &tree{label: fmt.Sprintf("base %.10s (%s)", commit, rev), root: dir}
	g.note("comparing the working tree with %s", t.label)
	if err := g.prepare(ctx, t, false); err != nil {
		remove()
		return nil, nil, err
	}
	return t, remove, nil
}

// interleave runs every package's benchmarks count times per side, the
// sides alternating run by run and the order flipping each round, so that
// whatever else the machine does hits both alike.
func (g *gate) interleave(ctx context.Context, base, work *tree, pin pinning) (baseOuts, workOuts []output, err error) {
	sides := []*tree{work}
	if base != nil {
		sides = []*tree{base, work}
	}
	rels := map[string]bool{}
	for _, t := range sides {
		for _, p := range t.pkgs {
			rels[p.rel] = true
		}
	}
	order := make([]string, 0, len(rels))
	for r := range rels {
		order = append(order, r)
	}
	sort.Strings(order)
	failedBase := map[string]bool{}
	for round := range g.opts.count {
		g.note("round %d/%d", round+1, g.opts.count)
		for _, rel := range order {
			for i := range sides {
				t := sides[(i+round)%len(sides)]
				p, ok := t.find(rel)
				if !ok || (t != work && failedBase[rel]) {
					continue
				}
				benchtime := g.opts.benchtime
				if p.e2e {
					benchtime = g.opts.e2eTime
				}
				out, err := runOnce(ctx, p, pin, benchtime)
				switch {
				case err != nil && ctx.Err() != nil:
					return nil, nil, fmt.Errorf("interrupted: %w", ctx.Err())
				case err != nil && t == work:
					return nil, nil, fmt.Errorf("a benchmark of the working tree failed: %w", err)
				case err != nil:
					g.note("%s: a benchmark failed, its package is left out of the base: %v", t.label, err)
					failedBase[rel] = true
				case t == work:
					workOuts = append(workOuts, output{rel, out})
				default:
					baseOuts = append(baseOuts, output{rel, out})
				}
			}
		}
	}
	return dropPackages(baseOuts, failedBase), workOuts, nil
}

// find returns the tree's package rel.
func (t *tree) find(rel string) (pkg, bool) {
	for _, p := range t.pkgs {
		if p.rel == rel {
			return p, true
		}
	}
	return pkg{}, false
}

// dropPackages leaves out the outputs of the packages in drop.
func dropPackages(outs []output, drop map[string]bool) []output {
	kept := outs[:0]
	for _, o := range outs {
		if !drop[o.pkg] {
			kept = append(kept, o)
		}
	}
	return kept
}
