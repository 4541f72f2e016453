//go:build unix && !linux

package fleet

import "syscall"

// groupAlive reports whether a process group has a member; zombies count.
func groupAlive(pgid int) bool {
	return syscall.Kill(-pgid, 0) == nil
}
