package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionFromBuildInfo(t *testing.T) {
	platform := runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
	for _, tc := range []struct {
		name, info, override, want string
	}{
		{"a release", "path\tgithub.com/mothership-go/mothership\nmod\tgithub.com/mothership-go/mothership\tv1.2.3\t\n", "",
			"mothership v1.2.3 (revision unknown, " + platform + ")"},
		{"a checkout with changes", "path\tgithub.com/mothership-go/mothership\nmod\tgithub.com/mothership-go/mothership\tv0.0.0-20261206225505-d525a974f447+dirty\t\nbuild\tvcs=git\nbuild\tvcs.revision=d525a974f447c347792f7ab126260f475f884b9f\nbuild\tvcs.modified=true\n", "",
			"mothership v0.0.0-20261206225505-d525a974f447+dirty (revision d525a974f447+modified, " + platform + ")"},
		{"a build without VCS", "path\tgithub.com/mothership-go/mothership\nmod\tgithub.com/mothership-go/mothership\t(devel)\t\n", "",
			"mothership (devel) (revision unknown, " + platform + ")"},
		{"-X main.version", "path\tgithub.com/mothership-go/mothership\nmod\tgithub.com/mothership-go/mothership\t(devel)\t\nbuild\tvcs.revision=d525a974f447c347792f7ab126260f475f884b9f\n", "v2.0.0",
			"mothership v2.0.0 (revision d525a974f447, " + platform + ")"},
	} {
		bi, err := debug.ParseBuildInfo(tc.info)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := versionFrom(bi, tc.override).String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestVersionOfABuildFromACheckout builds the working tree as a user's
// checkout would be built (the go command stamps VCS data only in a
// repository of its own, not in a git worktree) and runs `mothership
// version`: it names the commit, not "devel".
func TestVersionOfABuildFromACheckout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary from a fresh repository")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	files, err := exec.Command("git", "ls-files", "-co", "--exclude-standard").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(files)) {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(b))
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com"}, args...)...)
		cmd.Dir = dir
		// A fixed date makes the commit of the same files the same commit
		// each run, and so the build the same build.
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "checkout")
	rev := git("rev-parse", "HEAD")
	// -trimpath keeps the build cache warm across runs: without it, every
	// temporary directory would compile everything afresh; with the same
	// commit the link is the last run's too.
	built, err := cachedBuild("version", func(out string) error {
		build := exec.Command("go", "build", "-trimpath", "-buildvcs=true", "-o", filepath.Join(out, "mothership-bin"), ".")
		build.Dir = dir
		build.Env = append(os.Environ(), "GOFLAGS=")
		if b, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(filepath.Join(built, "mothership-bin"), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "(revision " + rev[:12] + ","; !strings.Contains(string(out), want) || strings.Contains(string(out), "devel") {
		t.Errorf("version says %q, want the module version and %q, not devel", out, want)
	}
}
