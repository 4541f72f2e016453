package sdnotify

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// Monotonic is the MONOTONIC_USEC= state that must come with RELOADING=1:
// CLOCK_MONOTONIC in microseconds, which systemd compares with its own.
func Monotonic() []string {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return nil
	}
	return []string{"MONOTONIC_USEC=" + strconv.FormatInt(ts.Nano()/1000, 10)}
}
