//go:build !linux

package netpeek

import "syscall"

// recvPeek peeks at one byte without waiting.
func recvPeek(fd int, b *[1]byte) (int, error) {
	n, _, err := syscall.Recvfrom(fd, b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
	return n, err
}
