package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawLog is a backend that answers every request it can parse with 200
// and keeps every byte it received, so that a test sees exactly what the
// proxy sent upstream.
type rawLog struct {
	ln  net.Listener
	mu  sync.Mutex
	got bytes.Buffer
}

func startRawLog(t *testing.T) *rawLog {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &rawLog{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go b.serve(c)
		}
	}()
	return b
}

func (b *rawLog) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(io.TeeReader(c, writerFunc(func(p []byte) {
		b.mu.Lock()
		b.got.Write(p)
		b.mu.Unlock()
	})))
	for {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.Copy(io.Discard, r.Body)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(r.URL.Path), r.URL.Path)
	}
}

// take returns what the backend received so far and forgets it.
func (b *rawLog) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.got.String()
	b.got.Reset()
	return s
}

// statusLine finds the status lines of the answers on a connection.
var statusLine = regexp.MustCompile(`(?m)^HTTP/1\.1 \d{3} `)

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// TestFramingAttacksAreRefused sends what request smuggling write-ups and
// the HTTP Garden's findings try, through the real binary, and checks both
// what the client gets (the status, then a closed connection) and what the
// backend receives (nothing: a refused request is never forwarded).
func TestFramingAttacksAreRefused(t *testing.T) {
	be := startRawLog(t)
	port := freePort(t)
	v := startRun(t, fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:%d\"\n\n[[mothership.upstreams]]\nname = \"log\"\nbinds = [%q]\nroutes = [\"/*\"]\n", port, be.ln.Addr().String()))
	v.waitFor(t, "phase=Running", 20*time.Second)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	long := strings.Repeat("a", 9000)
	cases := []struct {
		name   string
		req    string
		status int
	}{
		{"Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"HTTP/1.0 with both framing fields", "POST / HTTP/1.0\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /fake HTTP/1.1\r\nUser-Agent: forged\r\n\r\n", 400},
		{"HTTP/1.0 with Transfer-Encoding", "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"signed length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400},
		{"negative length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
		{"hex length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x05\r\n\r\nhello", 400},
		{"differing length list", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400},
		{"differing length fields", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400},
		{"unknown coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
		{"chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
		{"chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400},
		{"space before the colon", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc", 400},
		{"obs-folded Transfer-Encoding beside a length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\nabc", 400},
		{"NUL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"bare CR in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400},
		{"bare LF line ends", "GET / HTTP/1.1\nHost: x\n\n", 400},
		{"control character in the target", "GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"two spaces in the request line", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
		{"chunk size overflow", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n", 400},
		{"chunk size with 0x", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400},
		{"chunk data longer than its size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n", 400},
		{"NUL in a chunk extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\x00\r\nabc\r\n0\r\n\r\n", 400},
		{"target too long", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Pad: "+long+"\r\n", 8) + "\r\n", 431},
		{"HTTP/2 over HTTP/1 framing", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"unknown expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\na", 417},
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405},
	}
	for _, tc := range cases {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, tc.req)
		start := time.Now()
		all, rerr := io.ReadAll(c) // the answer, then the close
		c.Close()
		if rerr != nil {
			t.Errorf("%s: the connection was not closed after the answer (%v after %v)", tc.name, rerr, time.Since(start))
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(all)), nil)
		switch {
		case err != nil:
			t.Errorf("%s: no answer (%v): %q", tc.name, err, all)
		case resp.StatusCode != tc.status:
			t.Errorf("%s: got %d, want %d", tc.name, resp.StatusCode, tc.status)
		case len(statusLine.FindAll(all, -1)) != 1:
			t.Errorf("%s: more than one answer on the connection: %q", tc.name, all)
		}
		if got := be.take(); got != "" {
			t.Errorf("%s: the backend received %q, want nothing", tc.name, got)
		}
	}
}

// TestUpstreamGetsOnlyWhatWeWrote pipelines a chunked POST and a GET: the
// backend gets two heads of ours, the body with its length, and no
// Transfer-Encoding.
func TestUpstreamGetsOnlyWhatWeWrote(t *testing.T) {
	be := startRawLog(t)
	port := freePort(t)
	v := startRun(t, fmt.Sprintf("[mothership.bind]\nhttp = \"127.0.0.1:%d\"\n\n[[mothership.upstreams]]\nname = \"log\"\nbinds = [%q]\nroutes = [\"/*\"]\n", port, be.ln.Addr().String()))
	v.waitFor(t, "phase=Running", 20*time.Second)
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"/first", "/second"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", want, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != want {
			t.Errorf("answer %q, want %q", b, want)
		}
	}
	got := be.take()
	for _, want := range []string{"POST /first HTTP/1.1\r\nHost: x\r\n", "Content-Length: 5\r\n\r\nhello", "GET /second HTTP/1.1\r\nHost: x\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the backend's bytes lack %q:\n%s", want, got)
		}
	}
	for _, bad := range []string{"Transfer-Encoding", "X-Hop", "keep-alive"} {
		if strings.Contains(got, bad) {
			t.Errorf("the backend's bytes hold %q:\n%s", bad, got)
		}
	}
}
