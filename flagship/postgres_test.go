package flagship

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/mothership-go/mothership/manifest"
)

// childLockEnv makes the test binary a flagship that vanishes: TestMain runs
// it instead of the tests, and TestVanishedFlagship kills it.
const childLockEnv = "FLAGSHIP_TEST_CHILD_LOCK"

func TestMain(m *testing.M) {
	if lock := os.Getenv(childLockEnv); lock != "" {
		childFlagship(lock)
		return
	}
	os.Exit(m.Run())
}

func databaseURL() string {
	return cmp.Or(os.Getenv("MOTHERSHIP_TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test")
}

// pgConfig returns a postgres election on a lock name of the test's own,
// or skips the test when PostgreSQL is not there.
func pgConfig(t *testing.T) manifest.Flagship {
	t.Helper()
	url := databaseURL()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Skipf("start PostgreSQL: pg_ctlcluster 15 main start, or set MOTHERSHIP_TEST_DATABASE_URL (%v)", err)
	}
	conn.Close(ctx)
	lock := fmt.Sprintf("test %s %d", t.Name(), time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			conn.Exec(ctx, "DELETE FROM mothership_flagship WHERE lock_name = $1", lock)
			conn.Close(ctx)
		}
	})
	return manifest.Flagship{
		Enabled: true, Election: manifest.ElectionPostgres, ElectionURL: url, LockName: lock,
		ElectionTimeout: 10 * time.Second, PrelaunchTimeout: 20 * time.Second,
	}
}

// escorts counts the escorts that wait: a flagship's prelaunch holds on
// until the others are escorts, so that no slow start makes a late server.
type escorts chan struct{}

func (e escorts) log(msg string, kv ...any) {
	if strings.Contains(msg, "waiting for the flagship") {
		e <- struct{}{}
	}
}

func (e escorts) await(n int) error {
	for range n {
		select {
		case <-e:
		case <-time.After(10 * time.Second):
			return errors.New("the escorts never waited")
		}
	}
	return nil
}

type outcome struct {
	role Role
	err  error
	at   time.Time
}

// coordinate runs n motherships at once and returns how each ended.
func coordinate(t *testing.T, n int, cfg manifest.Flagship, lookupEnv func(string) (string, bool), runPrelaunch func(context.Context) error, log func(string, ...any)) []outcome {
	out := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Go(func() {
			role, err := Coordinate(t.Context(), cfg, lookupEnv, runPrelaunch, log)
			out[i] = outcome{role, err, time.Now()}
		})
	}
	wg.Wait()
	return out
}

func TestOneFlagshipAmongThree(t *testing.T) {
	t.Parallel() // each on a lock of its own
	cfg := pgConfig(t)
	waiting := make(escorts, 3)
	var calls atomic.Int32
	var finished time.Time
	prelaunch := func(context.Context) error {
		calls.Add(1)
		err := waiting.await(2)
		finished = time.Now()
		return err
	}
	out := coordinate(t, 3, cfg, env(DeployIDEnv, "v1"), prelaunch, waiting.log)
	roles := map[Role]int{}
	for _, o := range out {
		roles[o.role]++
		if o.err != nil {
			t.Errorf("%s: %v", o.role, o.err)
		}
		if o.role == RoleEscort && o.at.Before(finished) {
			t.Errorf("an escort returned %v before the prelaunch finished", finished.Sub(o.at))
		}
	}
	if calls.Load() != 1 || roles[RoleFlagship] != 1 || roles[RoleEscort] != 2 {
		t.Errorf("%d prelaunches, roles %v; want 1 flagship, 2 escorts", calls.Load(), roles)
	}
}

func TestFailedPrelaunchAbortsAll(t *testing.T) {
	t.Parallel() // each on a lock of its own
	cfg := pgConfig(t)
	waiting := make(escorts, 3)
	var calls atomic.Int32
	boom := errors.New("migration 42 failed")
	prelaunch := func(context.Context) error {
		calls.Add(1)
		return errors.Join(boom, waiting.await(2))
	}
	for _, o := range coordinate(t, 3, cfg, env(), prelaunch, waiting.log) {
		switch {
		case o.role == RoleFlagship && !errors.Is(o.err, boom):
			t.Errorf("the flagship returned %v, want its prelaunch's error", o.err)
		case o.role == RoleEscort && (o.err == nil || !strings.Contains(o.err.Error(), "prelaunch failed: migration 42 failed")):
			t.Errorf("an escort returned %v, want the flagship's failure", o.err)
		case o.role == "":
			t.Errorf("the election failed: %v", o.err)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("%d prelaunches, want 1", calls.Load())
	}
}

// TestLateServers follows servers that start after the flagship finished:
// one of the same deploy launches at once, the first of the next deploy runs
// the prelaunch, and one without a deploy id runs it again.
func TestLateServers(t *testing.T) {
	t.Parallel() // each on a lock of its own
	cfg := pgConfig(t)
	p := &prelaunch{}
	steps := []struct {
		deploy string
		want   Role
		calls  int
	}{
		{"v1", RoleFlagship, 1},
		{"v1", RoleEscort, 1},
		{"v1", RoleEscort, 1},
		{"v2", RoleFlagship, 2},
		{"", RoleFlagship, 3},
		{"", RoleFlagship, 4},
	}
	for i, s := range steps {
		waited := false
		role, err := Coordinate(t.Context(), cfg, env(DeployIDEnv, s.deploy), p.run, func(msg string, kv ...any) {
			t.Log(append([]any{msg}, kv...)...)
			// What it logs, not how long it took: on a loaded machine
			// sharing the database, a server that never waited can be slow.
			waited = waited || strings.Contains(msg, "waiting for the flagship")
		})
		if role != s.want || err != nil || p.calls != s.calls {
			t.Fatalf("server %d of deploy %q: %q, %v after %d prelaunches; want %q after %d", i, s.deploy, role, err, p.calls, s.want, s.calls)
		}
		if waited {
			t.Errorf("server %d of deploy %q waited for a flagship that had finished", i, s.deploy)
		}
	}
}

func TestEscortTimeout(t *testing.T) {
	t.Parallel() // each on a lock of its own
	cfg := pgConfig(t)
	started, release := make(chan struct{}), make(chan struct{})
	flagship := make(chan error, 1)
	go func() {
		_, err := Coordinate(t.Context(), cfg, nil, func(context.Context) error {
			close(started)
			<-release
			return nil
		}, nil)
		flagship <- err
	}()
	defer func() { close(release); <-flagship }()
	<-started
	cfg.PrelaunchTimeout = 500 * time.Millisecond
	start := time.Now()
	role, err := Coordinate(t.Context(), cfg, nil, (&prelaunch{}).run, nil)
	took := time.Since(start)
	if role != RoleEscort || err == nil || !strings.Contains(err.Error(), "did not finish within 500ms") {
		t.Errorf("escort = %q, %v; want a timeout", role, err)
	}
	// The flagship never finishes; only the time limit ends the wait. The
	// upper bound is loose: connecting and reading the record take their
	// time on a loaded machine sharing the database.
	if took < 500*time.Millisecond || took > 15*time.Second {
		t.Errorf("the escort gave up after %v, want soon after 500ms", took)
	}
}

// TestVanishedFlagship kills a flagship, a child process, during its
// prelaunch: its session ends, its lock goes, and the escorts abort.
func TestVanishedFlagship(t *testing.T) {
	t.Parallel() // each on a lock of its own
	cfg := pgConfig(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childLockEnv+"="+cfg.LockName, "MOTHERSHIP_TEST_DATABASE_URL="+cfg.ElectionURL)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	started := make(chan bool, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			if s.Text() == "prelaunch started" {
				started <- true
			}
		}
		close(started)
	}()
	select {
	case ok := <-started:
		if !ok {
			t.Fatal("the child flagship exited before its prelaunch")
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the child flagship never started its prelaunch")
	}

	waiting := make(escorts, 2)
	done := make(chan []outcome)
	go func() { done <- coordinate(t, 2, cfg, env(), (&prelaunch{}).run, waiting.log) }()
	if err := waiting.await(2); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	cmd.Process.Kill()
	select {
	case out := <-done:
		for _, o := range out {
			if o.role != RoleEscort || o.err == nil || !strings.Contains(o.err.Error(), "flagship vanished during prelaunch") {
				t.Errorf("escort = %q, %v; want the flagship to have vanished", o.role, o.err)
			}
			if d := o.at.Sub(killed); d > 5*time.Second {
				t.Errorf("an escort noticed after %v", d)
			}
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the escorts still wait for a dead flagship")
	}
}

// childFlagship wins the election for lock and sleeps in its prelaunch until
// TestVanishedFlagship kills it.
func childFlagship(lock string) {
	cfg := manifest.Flagship{Enabled: true, Election: manifest.ElectionPostgres, ElectionURL: databaseURL(), LockName: lock, ElectionTimeout: 10 * time.Second}
	role, err := Coordinate(context.Background(), cfg, env(), func(context.Context) error {
		fmt.Println("prelaunch started")
		time.Sleep(30 * time.Second)
		return nil
	}, nil)
	fmt.Println(role, err)
}
