package fleet

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

var pageSize = uint64(os.Getpagesize())

// memoryOf reads /proc/PID/statm, whose first two fields are the virtual
// and resident sizes in pages.
func memoryOf(pid int) (rss, virtual uint64, err error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, 0, fmt.Errorf("statm of %d: %q", pid, b)
	}
	size, err1 := strconv.ParseUint(f[0], 10, 64)
	resident, err2 := strconv.ParseUint(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("statm of %d: %q", pid, b)
	}
	return resident * pageSize, size * pageSize, nil
}
