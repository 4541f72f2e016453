//go:build !linux

package sdnotify

// Monotonic is nothing where systemd does not run.
func Monotonic() []string { return nil }
