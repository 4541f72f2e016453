package fleet

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSupervisorKilled: when the supervisor dies by SIGKILL, with no chance
// to stop anything, its children die with it.
func TestSupervisorKilled(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(testExe)
	cmd.Env = append(os.Environ(), "GO_FLEET_HELPER=supervisor")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var children []int
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "launched" {
		if n, ok := strings.CutPrefix(sc.Text(), "pid "); ok {
			pid, _ := strconv.Atoi(n)
			children = append(children, pid)
		} else {
			t.Fatalf("supervisor said %q", sc.Text())
		}
	}
	if len(children) != 2 {
		cmd.Process.Kill()
		t.Fatalf("supervisor reported children %v, want 2", children)
	}
	for _, pid := range children {
		if !alive(pid) {
			t.Fatalf("child %d is not running before the supervisor dies", pid)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	for _, pid := range children {
		waitFor(t, 3*time.Second, "child "+strconv.Itoa(pid)+" to die with its supervisor", func() bool { return !alive(pid) })
	}
}
