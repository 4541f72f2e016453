package fleet

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// pipeDelay bounds how long Wait keeps reading output after the process
// itself exited: a grandchild that inherited the pipes must not keep a
// crashed ship from being restarted, or a stop from finishing.
const pipeDelay = time.Second

// child is one run of a process, leader of its own process group.
type child struct {
	pid    int    // also the process group id
	socket string // a bay's MS_SOCKET_PATH for this run; "" for the others
	start  time.Time
	// undocked is closed once a bay's run was let go of by the docker, so
	// that a phased restart reports done only when the old run takes no
	// more traffic; nil for the others.
	undocked chan struct{}
	done     chan struct{} // closed once Wait returned; the fields below are set then
	end      time.Time
	state    *os.ProcessState
	err      error
}

// spawn starts s with its output going to log, line by line.
func spawn(s *spec, log Logger) (*child, error) { return spawnRun(s, "", log) }

// spawnRun starts s as spawn does; a bay's run is told to listen on socket.
func spawnRun(s *spec, socket string, log Logger) (*child, error) {
	// os/exec would blame a missing directory on the command.
	if s.dir != "" {
		if _, err := os.Stat(s.dir); err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
	}
	path, err := lookCommand(s.command, s.dir, s.env)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, s.args...)
	cmd.Args[0] = s.command
	cmd.Dir = s.dir
	cmd.Env = s.env
	if socket != "" {
		cmd.Env = mergeEnv(s.env, map[string]string{"MS_SOCKET_PATH": socket})
	}
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = pipeDelay
	stdout := &lineWriter{process: s.name, stream: "stdout", log: log}
	stderr := &lineWriter{process: s.name, stream: "stderr", log: log}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{pid: cmd.Process.Pid, socket: socket, start: time.Now(), done: make(chan struct{})}
	if socket != "" {
		c.undocked = make(chan struct{})
	}
	go func() {
		err := cmd.Wait()
		// Wait has stopped the copying goroutines, so nothing writes anymore.
		stdout.flush()
		stderr.flush()
		c.end, c.state, c.err = time.Now(), cmd.ProcessState, err
		close(c.done)
	}()
	return c, nil
}

// undock lets go of a bay's ended run on its socket, once.
func (c *child) undock(d Docker, bay string) {
	d.Undock(bay, c.socket)
	close(c.undocked)
}

// exited reports whether Wait has returned.
func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// success reports an exit with status 0; call it after done.
func (c *child) success() bool { return c.state != nil && c.state.Success() }

// status describes how the process ended, "exit status 1" or "signal:
// killed"; call it after done.
func (c *child) status() string {
	if c.state != nil {
		return c.state.String()
	}
	return c.err.Error()
}

// signal sends sig to the whole process group, so that what the process
// started goes too.
func (c *child) signal(sig syscall.Signal) {
	// ESRCH only means the group is already gone.
	_ = syscall.Kill(-c.pid, sig)
}

// gone reports whether the process and everything left in its group ended.
func (c *child) gone() bool { return c.exited() && !groupAlive(c.pid) }
