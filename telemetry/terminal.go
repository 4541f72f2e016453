package telemetry

import "os"

// IsTerminal reports whether f is a character device, which a terminal is.
// It asks only f.Stat, so it needs no cgo and no ioctl; /dev/null is a
// character device too, which costs nothing, as no one reads its colors.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// ColorFor reports whether a log to f should be colored: f is a terminal,
// NO_COLOR (https://no-color.org) is unset or empty, and TERM is not "dumb",
// the terminal that has said it cannot show escape sequences.
func ColorFor(f *os.File) bool {
	return os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" && IsTerminal(f)
}
