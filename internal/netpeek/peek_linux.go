package netpeek

import (
	"syscall"
	"unsafe"
)

// recvPeek peeks at one byte without entering the scheduler's syscall
// state: MSG_DONTWAIT never lets it wait.
func recvPeek(fd int, b *[1]byte) (int, error) {
	n, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), 1,
		syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
	if e != 0 {
		return int(n), e
	}
	return int(n), nil
}
