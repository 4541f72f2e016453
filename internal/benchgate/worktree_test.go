package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a git repository with n commits and returns its directory.
func repo(t *testing.T, n int) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	gitOK(t, dir, "init", "-q", "-b", "main")
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, "f"), []byte{byte('a' + i)}, 0o644); err != nil {
			t.Fatal(err)
		}
		gitOK(t, dir, "add", "f")
		gitOK(t, dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "c")
	}
	return dir
}

func gitOK(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := git(context.Background(), dir, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDefaultBase(t *testing.T) {
	ctx := context.Background()
	dir := repo(t, 2)
	cases := []struct {
		name   string
		change func()
		want   string
	}{
		{"clean: the previous commit", func() {}, "HEAD~1"},
		{"untracked file: HEAD", func() { os.WriteFile(filepath.Join(dir, "new"), nil, 0o644) }, "HEAD"},
	}
	for _, c := range cases {
		c.change()
		if got, err := defaultBase(ctx, dir); err != nil || got != c.want {
			t.Errorf("%s: base %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestResolveBase(t *testing.T) {
	ctx := context.Background()
	origin := repo(t, 3)
	shallow := filepath.Join(t.TempDir(), "shallow")
	gitOK(t, ".", "clone", "-q", "--depth", "1", "file://"+origin, shallow)
	orphan := filepath.Join(t.TempDir(), "orphan")
	gitOK(t, ".", "clone", "-q", "--depth", "1", "file://"+origin, orphan)
	gitOK(t, orphan, "remote", "remove", "origin")
	cases := []struct {
		name, dir, rev string
		found          bool
		why            string
	}{
		{"present", origin, "HEAD~1", true, ""},
		{"past the first commit", origin, "HEAD~5", false, "HEAD~5 is not a commit of this repository"},
		{"shallow clone: fetched", shallow, "HEAD~1", true, ""},
		{"shallow clone, nothing to fetch from", orphan, "HEAD~1", false, "HEAD~1 is not in this clone, even after fetching 50 more commits"},
	}
	for _, c := range cases {
		commit, found, why, err := resolveBase(ctx, c.dir, c.rev, t.Logf)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if found != c.found || !strings.Contains(why, c.why) || (found && len(commit) != 40) {
			t.Errorf("%s: %q, found %v, %q; want found %v, a reason containing %q", c.name, commit, found, why, c.found, c.why)
		}
	}
}

// TestWorktreeRemoved checks the base worktree is gone, from disk and from
// git's list, once removed.
func TestWorktreeRemoved(t *testing.T) {
	ctx := context.Background()
	dir := repo(t, 2)
	wt, remove, err := addWorktree(ctx, dir, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(wt, "f")); err != nil || string(data) != "a" {
		t.Fatalf("the worktree does not hold HEAD~1's f: %q, %v", data, err)
	}
	remove()
	if _, err := os.Stat(wt); !os.IsNotExist(err) {
		t.Errorf("the worktree %s is still there: %v", wt, err)
	}
	if list := gitOK(t, dir, "worktree", "list"); strings.Count(list, "\n") != 0 {
		t.Errorf("git still lists the worktree:\n%s", list)
	}
}
