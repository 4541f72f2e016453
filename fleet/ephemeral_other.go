//go:build !linux && !darwin && !freebsd

package fleet

// ephemeralFirst is unknown here: AssignPorts lets the kernel pick.
func ephemeralFirst() (int, bool) { return 0, false }
