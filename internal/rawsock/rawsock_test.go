package rawsock

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"
)

// pair returns a wrapped client end and the plain server end of a
// loopback connection on network.
func pair(t *testing.T, network string) (net.Conn, net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = t.TempDir() + "/s"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	w := Wrap(c)
	t.Cleanup(func() { w.Close(); s.Close() })
	return w, s
}

func TestRoundTrip(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		c, s := pair(t, network)
		if runtime.GOOS == "linux" {
			if _, ok := c.(*Conn); !ok {
				t.Fatalf("%s: Wrap returned %T, want *Conn", network, c)
			}
		}
		// 8 MiB is more than a socket buffer: the write must wait on the
		// poller for the reader and still deliver every byte in order.
		want := bytes.Repeat([]byte("0123456789abcdef"), 512<<10)
		got := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(s)
			got <- b
		}()
		n, err := c.Write(want)
		if err != nil || n != len(want) {
			t.Fatalf("%s: Write = %d, %v; want %d, nil", network, n, err, len(want))
		}
		c.(interface{ CloseWrite() error }).CloseWrite()
		if b := <-got; !bytes.Equal(b, want) {
			t.Fatalf("%s: the peer read %d bytes, not the %d written in order", network, len(b), len(want))
		}
		s.Write([]byte("pong"))
		s.Close()
		b, err := io.ReadAll(c)
		if err != nil || string(b) != "pong" {
			t.Fatalf("%s: ReadAll = %q, %v; want \"pong\" then EOF", network, b, err)
		}
	}
}

func TestReadDeadline(t *testing.T) {
	c, _ := pair(t, "tcp")
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err := c.Read(make([]byte, 16))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("Read past its deadline = %v; want a net.Error timeout wrapping os.ErrDeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the deadline took %v to end the read", d)
	}
}

func TestWriteAfterPeerReset(t *testing.T) {
	c, s := pair(t, "tcp")
	s.(*net.TCPConn).SetLinger(0)
	s.Close()
	time.Sleep(20 * time.Millisecond)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = c.Write([]byte("x"))
		time.Sleep(5 * time.Millisecond)
	}
	if err == nil {
		t.Fatal("writes to a reset peer kept succeeding")
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "write" {
		t.Fatalf("error %v (%T) is not a write *net.OpError", err, err)
	}
}

func TestNoAllocations(t *testing.T) {
	c, s := pair(t, "tcp")
	msg, buf := []byte("ping"), make([]byte, 4)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(s, buf); err != nil {
			t.Fatal(err)
		}
		s.Write(msg)
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("a write and a read allocated %.1f times", allocs)
	}
}

func TestOthersPassThrough(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if w := Wrap(a); w != a {
		t.Fatalf("Wrap(net.Pipe) = %T, want the conn itself", w)
	}
}
