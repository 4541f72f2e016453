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

// TestWriteRead: the request goes out, the answer comes back, whether the
// socket takes the request at once or must be waited on (more than its
// buffer), and a peer that reset the connection is a write error.
func TestWriteRead(t *testing.T) {
	cases := []struct {
		name    string
		request []byte
	}{
		{"a small request", []byte("ping")},
		{"a request larger than the socket buffer", bytes.Repeat([]byte("0123456789abcdef"), 512<<10)},
	}
	for _, tc := range cases {
		c, s := pair(t, "tcp")
		go func() {
			b := make([]byte, len(tc.request))
			if _, err := io.ReadFull(s, b); err == nil && bytes.Equal(b, tc.request) {
				s.Write([]byte("pong"))
			}
		}()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 16)
		n, err := WriteRead(c, tc.request, buf)
		if err != nil || string(buf[:n]) != "pong" {
			t.Errorf("%s: WriteRead = %q, %v; want \"pong\"", tc.name, buf[:n], err)
		}
	}
	c, s := pair(t, "tcp")
	s.(*net.TCPConn).SetLinger(0)
	s.Close()
	time.Sleep(20 * time.Millisecond)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	_, err := WriteRead(c, []byte("x"), make([]byte, 16))
	var oe *net.OpError
	if !errors.As(err, &oe) {
		t.Fatalf("WriteRead to a reset peer = %v (%T), want a *net.OpError", err, err)
	}
}

// TestWriteReadAfterUnaskedBytes: bytes the peer sent before the request
// are not lost: they come with the answer, or after the read deadline
// when no answer comes.
func TestWriteReadAfterUnaskedBytes(t *testing.T) {
	for _, answer := range []bool{true, false} {
		c, s := pair(t, "tcp")
		s.Write([]byte("early"))
		time.Sleep(20 * time.Millisecond) // the bytes reach c and its poller
		go func() {
			b := make([]byte, 4)
			if _, err := io.ReadFull(s, b); err == nil && answer {
				s.Write([]byte("pong"))
			}
		}()
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		buf := make([]byte, 16)
		n, err := WriteRead(c, []byte("ping"), buf)
		var ne net.Error
		if !answer {
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("unanswered: WriteRead = %q, %v; want the deadline", buf[:n], err)
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err = c.Read(buf)
		}
		got := string(buf[:n])
		for err == nil && answer && got != "earlypong" && len(got) < len("earlypong") {
			var m int
			m, err = c.Read(buf[n:])
			n += m
			got = string(buf[:n])
		}
		want := map[bool]string{true: "earlypong", false: "early"}[answer]
		if err != nil || got != want {
			t.Errorf("answer %v: read %q, %v; want %q", answer, got, err, want)
		}
	}
}

func TestWriteReadNoAllocations(t *testing.T) {
	c, s := pair(t, "tcp")
	go io.Copy(s, s) // an echo
	msg, buf := []byte("ping"), make([]byte, 4)
	allocs := testing.AllocsPerRun(200, func() {
		if n, err := WriteRead(c, msg, buf); err != nil || n != len(msg) {
			t.Fatalf("WriteRead = %d, %v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("a WriteRead allocated %.1f times", allocs)
	}
}
