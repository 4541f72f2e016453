//go:build unix && !linux

package fleet

import "syscall"

// sysProcAttr puts a child in its own process group, so that signals reach
// what it starts. These systems have no parent-death signal; children of a
// supervisor killed by SIGKILL live on.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
