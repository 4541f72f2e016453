package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testDatabase returns the PostgreSQL the election tests use, or skips.
func testDatabase(t *testing.T) string {
	t.Helper()
	url := os.Getenv("MOTHERSHIP_TEST_DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Skipf("no PostgreSQL at %s (start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): %v", url, err)
	}
	conn.Close(ctx)
	return url
}

// electionManifest is one manifest for several servers: each gets its own
// bind through $HTTP_ADDR and control socket through $CONTROL_SOCKET; the prelaunch job and the ship append to a file
// all servers share, so the test can read who ran what, in which order.
func electionManifest(db, lock, shared, prelaunch string) string {
	return fmt.Sprintf(`
[mothership]
control_socket = "$CONTROL_SOCKET"

[mothership.bind]
http = "$HTTP_ADDR"

[mothership.flagship]
enabled = true
election = "postgres"
election_url = %q
lock_name = %q
prelaunch_timeout = "20s"

[[mothership.prelaunch]]
name = "migrate"
command = "sh"
args = ["-c", %q]

[[fleet.web]]
name = "web"
command = "sh"
args = ["-c", "echo launched $SERVER >> %s; exec sleep 300"]
`, db, lock, strings.ReplaceAll(prelaunch, "SHARED", shared), shared)
}

// servers starts n motherships on the manifest in dir, named s1…sn.
func servers(t *testing.T, dir string, n int, first int) []*voyageUnderTest {
	var vs []*voyageUnderTest
	sockets := shortSocketDir(t)
	for i := first; i < first+n; i++ {
		vs = append(vs, startRunIn(t, dir, []string{
			fmt.Sprintf("SERVER=s%d", i),
			fmt.Sprintf("CONTROL_SOCKET=%s/s%d.sock", sockets, i),
			fmt.Sprintf("HTTP_ADDR=127.0.0.1:%d", freePort(t)),
			"MS_DEPLOY_ID=deploy-1",
		}))
	}
	return vs
}

// waitForLines reads path until n of its lines start with prefix, or within
// has passed, and returns its lines.
func waitForLines(t *testing.T, path, prefix string, n int, within time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		lines := readLines(t, path)
		count := 0
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				count++
			}
		}
		if count >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(string(b), " ", "_"))
}

func TestElectionRunsPrelaunchOnceAcrossThreeServers(t *testing.T) {
	t.Parallel()
	db := testDatabase(t)
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared.log")
	writeManifest(t, dir, electionManifest(db, fmt.Sprintf("e2e-once-%d", time.Now().UnixNano()), shared,
		"echo migrate-start_$SERVER >> SHARED; sleep 1; echo migrate-done >> SHARED"))
	vs := servers(t, dir, 3, 1)
	for _, v := range vs {
		v.waitFor(t, "phase=Running", 30*time.Second)
	}
	// Running means the ship runs, not that it has written its line yet.
	lines := waitForLines(t, shared, "launched", 3, 10*time.Second)
	starts, done, launched := 0, -1, 0
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "migrate-start"):
			starts++
		case l == "migrate-done":
			done = i
		case strings.HasPrefix(l, "launched"):
			launched++
			if done < 0 {
				t.Errorf("%s launched before the prelaunch job finished: %v", l, lines)
			}
		}
	}
	if starts != 1 || launched != 3 {
		t.Errorf("want the prelaunch job run once and 3 launches, got %d and %d: %v", starts, launched, lines)
	}
	// A late server of the same deploy launches at once, without running it again.
	late := servers(t, dir, 1, 4)[0]
	late.waitFor(t, "phase=Running", 10*time.Second)
	if got := strings.Count(strings.Join(readLines(t, shared), " "), "migrate-start"); got != 1 {
		t.Errorf("the late server ran the prelaunch job again: %d starts", got)
	}
	roles := map[string]int{}
	for _, v := range append(vs, late) {
		v.land()
		if code := v.exit(t, 20*time.Second); code != 0 {
			t.Errorf("exit %d after SIGTERM", code)
		}
		for _, role := range []string{"role=flagship", "role=escort"} {
			if strings.Contains(v.output(), role) {
				roles[role]++
			}
		}
	}
	if roles["role=flagship"] != 1 || roles["role=escort"] != 3 {
		t.Errorf("want one flagship and three escorts in the landing records, got %v", roles)
	}
}

func TestElectionFailedPrelaunchAbortsEveryServer(t *testing.T) {
	t.Parallel()
	db := testDatabase(t)
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared.log")
	writeManifest(t, dir, electionManifest(db, fmt.Sprintf("e2e-fail-%d", time.Now().UnixNano()), shared,
		"echo migrate-start_$SERVER >> SHARED; sleep 0.5; exit 4"))
	for _, v := range servers(t, dir, 3, 1) {
		if code := v.exit(t, 30*time.Second); code == 0 {
			t.Errorf("exit 0 after the flagship's prelaunch failed:\n%s", v.output())
		}
	}
	if lines := readLines(t, shared); strings.Contains(strings.Join(lines, " "), "launched") {
		t.Errorf("a ship launched after a failed prelaunch: %v", lines)
	}
}

func TestElectionFlagshipKilledMidPrelaunchAbortsEscorts(t *testing.T) {
	t.Parallel()
	db := testDatabase(t)
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared.log")
	writeManifest(t, dir, electionManifest(db, fmt.Sprintf("e2e-kill-%d", time.Now().UnixNano()), shared,
		"echo migrate-start_$SERVER >> SHARED; sleep 30; echo migrate-done >> SHARED"))
	vs := servers(t, dir, 3, 1)
	var flagship *voyageUnderTest
	deadline := time.Now().Add(20 * time.Second)
	for flagship == nil && time.Now().Before(deadline) {
		for _, l := range readLines(t, shared) {
			if name, ok := strings.CutPrefix(l, "migrate-start_"); ok {
				var n int
				fmt.Sscanf(name, "s%d", &n)
				flagship = vs[n-1]
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if flagship == nil {
		t.Fatal("no server started the prelaunch job")
	}
	// Killed before the others have looked, the flagship would leave them a
	// free lock and a first look, which takes over (a retry, not an abort):
	// on a loaded machine a server can be that slow to start.
	for _, v := range vs {
		if v != flagship {
			v.waitFor(t, "postgres election: escort, waiting for the flagship's prelaunch", 20*time.Second)
		}
	}
	flagship.cmd.Process.Kill()
	for _, v := range vs {
		if v == flagship {
			continue
		}
		if code := v.exit(t, 15*time.Second); code == 0 || !strings.Contains(v.output(), "vanished") {
			t.Errorf("an escort exited %d after the flagship died; want non-zero and the flagship named as vanished:\n%s", code, v.output())
		}
	}
}
