//go:build darwin || freebsd

package fleet

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// memoryOf asks ps(1), in KiB: neither system has /proc by default, and
// their sysctl layouts differ without cgo.
func memoryOf(pid int) (rss, virtual uint64, err error) {
	out, err := exec.Command("ps", "-o", "rss=,vsz=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ps for %d: %w", pid, err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("ps for %d: %q", pid, out)
	}
	r, err1 := strconv.ParseUint(f[0], 10, 64)
	v, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("ps for %d: %q", pid, out)
	}
	return r << 10, v << 10, nil
}
