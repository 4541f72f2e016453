package main

import (
	"context"
	"syscall"
	"time"
)

// recycleWorker ends a bay's worker stuck on a request (its request_timeout
// passed). The pid is the bay's word, so it is acted on only if it is in
// the bay's own process group: a bay cannot make the mothership kill
// anything else. A worker the bay forked is killed, and the bay starts
// another. A bay that serves from one process is restarted instead (a
// phased restart when it is docked): killing it would count as a crash of
// a healthy bay, and a few slow requests would open its circuit.
func (v *voyage) recycleWorker(bay string, pid int) {
	group := v.bayPID(bay)
	if pg, err := syscall.Getpgid(pid); group == 0 || err != nil || pg != group {
		v.log.Warn("not recycling: the pid the bay docked with is not one of its processes", "process", bay, "pid", pid)
		return
	}
	if pid == group {
		v.restartStuckBay(bay, pid)
		return
	}
	v.log.Warn("Recycling worker stuck on a request", "process", bay, "pid", pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		v.log.Warn("recycling failed", "process", bay, "pid", pid, "error", err.Error())
	}
}

// restartStuckBay restarts a single-process bay stuck on a request, once
// per stuck process: the requests that time out on it while it restarts
// need no second restart. A restart refused because the last one is still
// ending is tried again while that process is still the bay's.
func (v *voyage) restartStuckBay(bay string, pid int) {
	if _, busy := v.restarting.LoadOrStore(pid, struct{}{}); busy {
		return
	}
	v.log.Warn("Restarting the bay: its only process is stuck on a request (a restart, not a crash)", "process", bay, "pid", pid)
	go func() {
		defer v.restarting.Delete(pid)
		deadline := time.Now().Add(time.Minute)
		for {
			err := v.fleet.Restart(context.Background(), bay)
			if err == nil || v.bayPID(bay) != pid {
				return
			}
			if time.Now().After(deadline) {
				v.log.Warn("restart of the stuck bay failed", "process", bay, "error", err.Error())
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

// bayPID is the pid of the bay's current run, 0 when none.
func (v *voyage) bayPID(bay string) int {
	for _, p := range v.fleet.Status() {
		if p.Kind == "bay" && p.Name == bay {
			return p.PID
		}
	}
	return 0
}
