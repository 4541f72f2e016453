package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// pkg is one package with tests on one side, and its test binary.
type pkg struct {
	rel string // relative to the module root: "routetree", "stages/cors"
	dir string // where its binary runs, so that testdata is found
	bin string
	e2e bool // an end-to-end package: it runs with --e2e-benchtime
}

// tree is one side: the working tree or the base worktree.
type tree struct {
	label string // "working tree", "base 1a2b3c4 (HEAD~1)"
	root  string
	pkgs  []pkg
}

// goCmd runs the go command in dir and returns its combined output.
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return out, nil
}

// listPackages resolves the patterns in the tree to packages with test
// files. A pattern that matches nothing there (the package does not exist
// yet, or any more) is skipped with a note.
func listPackages(ctx context.Context, t *tree, patterns []string, e2e bool, note func(string, ...any)) ([]pkg, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	mod, err := goCmd(ctx, t.root, "list", "-m")
	if err != nil {
		return nil, err
	}
	module := strings.TrimSpace(string(mod))
	args := append([]string{"list", "-e", "-f", "{{.ImportPath}}\t{{.Dir}}\t{{if or .TestGoFiles .XTestGoFiles}}t{{end}}\t{{with .Error}}{{.Err}}{{end}}"}, patterns...)
	out, err := goCmd(ctx, t.root, args...)
	if err != nil {
		return nil, err
	}
	var pkgs []pkg
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("go list in %s printed %q", t.root, line)
		}
		switch {
		case f[3] != "":
			note("%s: no package matches %s: skipped", t.label, f[0])
		case f[2] == "t" && f[0] == module:
			pkgs = append(pkgs, pkg{rel: ".", dir: f[1], e2e: e2e})
		case f[2] == "t":
			pkgs = append(pkgs, pkg{rel: strings.TrimPrefix(f[0], module+"/"), dir: f[1], e2e: e2e})
		}
	}
	return pkgs, nil
}

// compile builds each package's test binary once into bindir. On the base
// a package that does not build is skipped with a note (its benchmarks
// show as new); on the working tree it is an error.
func compile(ctx context.Context, t *tree, bindir string, mustBuild bool, note func(string, ...any)) error {
	if err := os.MkdirAll(bindir, 0o755); err != nil {
		return fmt.Errorf("making %s: %w", bindir, err)
	}
	var built []pkg
	for _, p := range t.pkgs {
		p.bin = filepath.Join(bindir, strings.ReplaceAll(p.rel, "/", "_")+".test")
		_, err := goCmd(ctx, t.root, "test", "-c", "-o", p.bin, "./"+p.rel)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil && mustBuild:
			return fmt.Errorf("the %s's benchmarks of %s do not build: %w", t.label, p.rel, err)
		case err != nil:
			note("%s: %s does not build, skipped: %v", t.label, p.rel, firstLine(err))
			continue
		}
		built = append(built, p)
	}
	t.pkgs = built
	return nil
}

// firstLine is the first line of err's text.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// tail returns the last n lines of out, for a failed run's message.
func tail(out []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(out, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
