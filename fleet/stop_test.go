package fleet

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// TestStopOrder: dependents get SIGTERM before what they depend on, and
// after Stop nothing of theirs runs.
func TestStopOrder(t *testing.T) {
	t.Parallel()
	m, notes := testManifest(t,
		helperShip("db", "sleep"),
		helperShip("api", "sleep", "db"),
		helperShip("web", "sleep", "api"),
		helperShip("cache", "sleep"),
	)
	f, rec := newFleet(t, m, Options{})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := f.Status()
	for _, s := range before {
		notes.at(t, s.Name, "start") // a helper killed before it listens for SIGTERM notes nothing
	}
	if err := f.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	web, api, db := notes.at(t, "web", "term"), notes.at(t, "api", "term"), notes.at(t, "db", "term")
	if !web.Before(api) || !api.Before(db) {
		t.Errorf("SIGTERM order: web %s, api %s, db %s after web; want web, api, db",
			0*time.Second, api.Sub(web), db.Sub(web))
	}
	notes.at(t, "cache", "term")
	for _, s := range before {
		if alive(s.PID) || groupAlive(s.PID) {
			t.Errorf("%s (pid %d) or its group survived Stop", s.Name, s.PID)
		}
	}
	for _, s := range f.Status() {
		if s.State != Stopped || s.PID != 0 {
			t.Errorf("after Stop, %s is %s with pid %d", s.Name, s.State, s.PID)
		}
		if states := rec.statesOf(s.Name); len(states) < 2 || states[len(states)-2] != Stopping {
			t.Errorf("%s went through %v, want stopping then stopped at the end", s.Name, states)
		}
	}
}

// TestStopKill: a process that ignores SIGTERM gets SIGKILL after Grace,
// or as soon as Stop's context ends.
func TestStopKill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		grace    time.Duration
		deadline time.Duration // 0: none
		min, max time.Duration
		err      error
		why      string
	}{
		{name: "after grace", grace: 300 * time.Millisecond, min: 300 * time.Millisecond, max: 3 * time.Second, why: "grace passed"},
		{name: "at the deadline", grace: time.Minute, deadline: 200 * time.Millisecond, min: 200 * time.Millisecond, max: 3 * time.Second, err: context.DeadlineExceeded, why: "stop deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, notes := testManifest(t, helperShip("stubborn", "ignoreterm"))
			timing := fastTiming()
			timing.Grace = tt.grace
			f, rec := start(t, m, Options{Timing: timing})
			// The helper ignores SIGTERM only once it has said so.
			waitFor(t, 5*time.Second, "stubborn to start", func() bool { return len(notes.times(t, "stubborn", "start")) > 0 })
			pid := statusOf(t, f, "stubborn").PID
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			began := time.Now()
			err := f.Stop(ctx)
			took := time.Since(began)
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: Stop returned %v, want %v", tt.name, err, tt.err)
			}
			if took < tt.min || took > tt.max {
				t.Errorf("%s: Stop took %s, want %s to %s", tt.name, took, tt.min, tt.max)
			}
			if alive(pid) {
				t.Errorf("%s: stubborn (pid %d) survived Stop", tt.name, pid)
			}
			if !rec.hasEvent("warn still running after SIGTERM; sending SIGKILL", "process=stubborn", "why="+tt.why) {
				t.Errorf("%s: the SIGKILL was not logged", tt.name)
			}
		})
	}
}

// TestNoOrphans: a ship killed by SIGKILL is restarted, the child it had
// started does not linger, and after Stop nothing of either run remains.
func TestNoOrphans(t *testing.T) {
	t.Parallel()
	pids := filepath.Join(t.TempDir(), "grandchildren")
	s := &manifest.Ship{
		Process: manifest.Process{Name: "wrapper", Command: "sh", Args: []string{"-c", "sleep 100 & echo $! >> " + pids + "; wait"}},
		Group:   "test", BootTimeout: 10 * time.Second,
	}
	m, _ := testManifest(t, s)
	f, _ := newFleet(t, m, Options{})
	if err := f.Launch(context.Background()); err != nil {
		t.Fatal(err)
	}
	grandchildren := func() []int {
		b, _ := os.ReadFile(pids)
		var out []int
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			if n, err := strconv.Atoi(sc.Text()); err == nil {
				out = append(out, n)
			}
		}
		return out
	}
	waitFor(t, 5*time.Second, "the first grandchild", func() bool { return len(grandchildren()) == 1 })
	first := statusOf(t, f, "wrapper").PID
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "wrapper to be restarted", func() bool {
		st := statusOf(t, f, "wrapper")
		return st.Restarts == 1 && st.State == Ready && len(grandchildren()) == 2
	})
	second := statusOf(t, f, "wrapper").PID
	g := grandchildren()
	waitFor(t, 3*time.Second, "the killed run's grandchild to die", func() bool { return !alive(g[0]) })
	if err := f.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{first, second, g[0], g[1]} {
		if alive(pid) {
			t.Errorf("pid %d survived Stop", pid)
		}
	}
	for _, pgid := range []int{first, second} {
		if groupAlive(pgid) {
			t.Errorf("process group %d survived Stop", pgid)
		}
	}
}
