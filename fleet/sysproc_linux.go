package fleet

import "syscall"

// sysProcAttr puts a child in its own process group, so that signals reach
// what it starts, and has the kernel SIGKILL it when the supervisor dies,
// even by SIGKILL, so that no ship outlives its mothership. (Pdeathsig
// fires when the forking thread exits; Go only retires threads locked with
// runtime.LockOSThread, which nothing here uses.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
