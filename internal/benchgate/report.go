package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// report pairs the outputs, prints benchstat's table and the verdict, and
// tells whether the gate passes.
func (g *gate) report(ctx context.Context, base *tree, baseOuts, workOuts []output, free *allocFree) (bool, error) {
	bp, err := readOutputs(baseOuts)
	if err != nil {
		return false, err
	}
	wp, err := readOutputs(workOuts)
	if err != nil {
		return false, err
	}
	amb := ambiguous(bp, wp)
	work := newSide(wp, amb)
	var bs *side
	if base != nil {
		bs = newSide(bp, amb)
	}
	if err := g.benchstat(ctx, bs, work); err != nil {
		return false, err
	}
	if base != nil {
		g.note("base.txt is %s, work.txt the working tree", base.label)
	}
	v := judge(bs, work, free)
	for _, f := range v.findings {
		g.note("%s", f.text)
	}
	switch {
	case v.failed():
		g.note("FAIL")
	case base == nil:
		g.note("PASS (alloc-free list only: the comparison was skipped, see above)")
	default:
		g.note("PASS: %d benchmarks compared, none significantly slower beyond the limits; none on the alloc-free list allocates", v.compared)
	}
	return !v.failed(), nil
}

// benchstat writes the benchstat input files (into --out, or the temporary
// directory) and prints benchstat's table of them.
func (g *gate) benchstat(ctx context.Context, base, work *side) error {
	dir := g.opts.out
	if dir == "" {
		dir = g.tmp
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("making --out %s: %w", dir, err)
	}
	files := []string{}
	for _, s := range []struct {
		name string
		side *side
	}{{"base.txt", base}, {"work.txt", work}} {
		if s.side == nil {
			continue
		}
		if err := writeSide(filepath.Join(dir, s.name), s.side); err != nil {
			return err
		}
		files = append(files, s.name)
	}
	bin := filepath.Join(g.tmp, "benchstat")
	root, err := git(ctx, ".", "rev-parse", "--show-toplevel")
	if err != nil {
		return err
	}
	if _, err := goCmd(ctx, root, "build", "-o", bin, "golang.org/x/perf/cmd/benchstat"); err != nil {
		return fmt.Errorf("building benchstat (the tool in go.mod): %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, files...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = g.stdout, g.stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("benchstat %v: %w", files, err)
	}
	return nil
}

// writeSide writes one side's results to path.
func writeSide(path string, s *side) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("writing benchstat input: %w", err)
	}
	if err := s.writeBenchstat(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
