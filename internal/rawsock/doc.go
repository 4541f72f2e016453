// Package rawsock reads and writes a plain TCP or Unix socket with raw
// system calls, under the runtime's poller.
//
// Go's net.Conn enters every read and write as a blocking system call: the
// scheduler marks the goroutine's P as in a syscall, and sysmon, finding it
// there one tick later (20 µs), hands the P to another thread. A loopback
// write runs the receiving side's TCP stack inline and often takes that
// long, so a busy proxy pays a thread hand-off, a futex wake and a slow
// exitsyscall for many of its writes. The descriptor is non-blocking, so a
// read or write never waits in the kernel: doing it as a raw system call
// keeps the P, and EAGAIN still parks the goroutine on the poller through
// syscall.RawConn, which keeps deadlines working.
//
// Wrap is the entry: it returns the conn itself where this does not
// apply (TLS, PROXY protocol, other systems than Linux). WriteRead sends a
// request and waits for its answer with one system call less than a Write
// and a Read: the poller is readied for the read before the write, so the
// read need not try the socket first (EAGAIN, certain when the peer only
// answers). Hold keeps one read of the poller open across many, so that a
// server between two requests of a keep-alive client waits for the next
// one without trying the socket first (EAGAIN again).
package rawsock
