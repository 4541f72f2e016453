package fleet

import (
	"os"
	"strconv"
	"strings"
)

// ephemeralFirst is the first port of the range that connect() takes local
// ports from: the first field of ip_local_port_range.
func ephemeralFirst() (int, bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, false
	}
	return parsePortRange(string(b))
}

// parsePortRange reads the first port of ip_local_port_range's "first
// last"; anything else (not two ports, last below first) is false, and
// AssignPorts then lets the kernel pick.
func parsePortRange(s string) (int, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return 0, false
	}
	first, err1 := strconv.Atoi(f[0])
	last, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || first < 1 || last > 65535 || last < first {
		return 0, false
	}
	return first, true
}
