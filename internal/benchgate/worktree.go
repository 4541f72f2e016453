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

// git runs git in dir and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// defaultBase is HEAD when the working tree differs from it (tracked or
// untracked files), else HEAD~1: the gate compares the change at hand.
func defaultBase(ctx context.Context, root string) (string, error) {
	status, err := git(ctx, root, "status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return "", err
	}
	if status != "" {
		return "HEAD", nil
	}
	return "HEAD~1", nil
}

// resolveBase turns rev into a commit. In a shallow clone that lacks it, it
// fetches more history first. found is false, with the reason, when the
// commit is not there: the caller then skips the comparison, loudly.
func resolveBase(ctx context.Context, root, rev string, note func(string, ...any)) (commit string, found bool, why string, err error) {
	verify := func() (string, error) { return git(ctx, root, "rev-parse", "--verify", "--quiet", rev+"^{commit}") }
	if c, err := verify(); err == nil {
		return c, true, "", nil
	}
	shallow, err := git(ctx, root, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return "", false, "", err
	}
	if shallow != "true" {
		return "", false, fmt.Sprintf("%s is not a commit of this repository", rev), nil
	}
	note("%s is not in this shallow clone; fetching more history (git fetch --deepen=50)", rev)
	if _, err := git(ctx, root, "fetch", "--quiet", "--deepen=50"); err != nil {
		return "", false, fmt.Sprintf("%s is not in this shallow clone and fetching more history failed: %v", rev, err), nil
	}
	if c, err := verify(); err == nil {
		return c, true, "", nil
	}
	return "", false, fmt.Sprintf("%s is not in this clone, even after fetching 50 more commits", rev), nil
}

// addWorktree checks commit out in a new temporary worktree and returns its
// directory and the function that removes it.
func addWorktree(ctx context.Context, root, commit string) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "bench-gate-base-")
	if err != nil {
		return "", nil, fmt.Errorf("making the base worktree's directory: %w", err)
	}
	dir := filepath.Join(tmp, "tree")
	remove := func() {
		// Not ctx: on Ctrl-C it is already cancelled, and this must still run.
		git(context.Background(), root, "worktree", "remove", "--force", dir)
		os.RemoveAll(tmp)
		git(context.Background(), root, "worktree", "prune")
	}
	if _, err := git(ctx, root, "worktree", "add", "--detach", "--quiet", dir, commit); err != nil {
		remove()
		return "", nil, err
	}
	return dir, remove, nil
}
