//go:build darwin || freebsd

package fleet

import "syscall"

// ephemeralFirst is the first port of the range that connect() takes local
// ports from: net.inet.ip.portrange.first (49152 on darwin, 10000 on
// FreeBSD by default).
func ephemeralFirst() (int, bool) {
	first, err := syscall.SysctlUint32("net.inet.ip.portrange.first")
	if err != nil || first < 1 || first > 65535 {
		return 0, false
	}
	return int(first), true
}
