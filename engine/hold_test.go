package engine

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/pipeline"
)

// holdHandler answers every request with its path; /slow first waits,
// /hijack takes the connection over after a 101 although the request
// asked for no upgrade (as a bay may) and echoes four bytes.
func holdHandler(x *pipeline.Exchange) {
	switch x.Path {
	case "/slow":
		time.Sleep(80 * time.Millisecond)
	case "/hijack":
		x.Response.WriteHeader(101)
		c, err := x.Conn.Hijack()
		if err != nil {
			x.Response.Write([]byte("hijack: " + err.Error()))
			return
		}
		defer c.Close()
		io.Copy(c, io.LimitReader(c, 4))
		return
	case "/post":
		b, _ := io.ReadAll(x.Body)
		x.Response.Write(b)
		return
	}
	x.Response.Write([]byte(x.Path))
}

// answers reads n answers from br and returns their bodies, joined by
// spaces; it fails the test when one does not come before the deadline.
func answers(t *testing.T, name string, br *bufio.Reader, n int) string {
	t.Helper()
	var got []string
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: answer %d: %v (got %q so far)", name, i+1, err, got)
		}
		b, _ := io.ReadAll(resp.Body)
		got = append(got, string(b))
	}
	return strings.Join(got, " ")
}

// TestServingWithinOneHold runs the keep-alive patterns that serving
// several requests within one poller read (hold.go) must get right: the
// engine then waits for a request without trying the socket, so a
// request whose arrival it missed would hang until the idle timeout (set
// far beyond the test's deadline here).
func TestServingWithinOneHold(t *testing.T) {
	_, addr := serveServer(t, &Server{Bind: "http", Handler: handlerFunc(holdHandler),
		Limits: Limits{IdleTimeout: time.Minute, ReadHeaderTimeout: time.Minute}})
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	// 66 KiB in one write, sent while the engine waits: it is all there
	// before the first read, which fills the buffer and leaves the rest
	// with no readiness to come.
	burst := strings.Repeat(get("/b"), 2000)
	cases := []struct {
		name  string
		steps []string // written in turn, each after the answers before it
		reads []int    // answers to read after each step
		want  string
	}{
		{"requests one after another", []string{get("/a"), get("/b"), get("/c")}, []int{1, 1, 1}, "/a /b /c"},
		{"the next request sent while the last is served", []string{get("/slow"), get("/b")}, []int{0, 2}, "/slow /b"},
		{"a pipelined head cut short waits for its rest, the answer before it sent",
			[]string{get("/a") + "GET /b HTTP/1.1\r\nHo", "st: x\r\n\r\n"}, []int{1, 1}, "/a /b"},
		{"a burst larger than the read buffer", []string{get("/a"), burst}, []int{1, 2000}, "/a " + strings.TrimSpace(strings.Repeat("/b ", 2000))},
		{"a body still to come is read outside, then back within",
			[]string{"POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", "cd", get("/a")}, []int{0, 1, 1}, "abcd /a"},
		{"a body sent with its head", []string{"POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok" + get("/a")}, []int{2}, "ok /a"},
	}
	for _, tc := range cases {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		br := bufio.NewReader(c)
		var got []string
		for i, step := range tc.steps {
			io.WriteString(c, step)
			if i == 0 && tc.reads[0] == 0 {
				time.Sleep(20 * time.Millisecond) // the handler is busy when the next step goes
			}
			if tc.reads[i] > 0 {
				got = append(got, answers(t, tc.name, br, tc.reads[i]))
			}
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("%s: answers %q, want %q", tc.name, s, tc.want)
		}
		c.Close()
	}
}

// TestHijackWithinOneHold: a handler that takes over the connection of a
// request that asked for no upgrade (a bay's tunnel may) gets a socket it
// can read while the engine still holds its own.
func TestHijackWithinOneHold(t *testing.T) {
	_, addr := serve(t, holdHandler)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	io.WriteString(c, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /hijack HTTP/1.1\r\nHost: x\r\n\r\nab")
	br := bufio.NewReader(c)
	if got := answers(t, "before the hijack", br, 1); got != "/a" {
		t.Fatalf("first answer %q, want /a", got)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("got %v %v, want a 101", resp, err)
	}
	io.WriteString(c, "cd")
	echo, err := io.ReadAll(br)
	if string(echo) != "abcd" || err != nil {
		t.Errorf("echo %q (%v), want abcd and the connection closed", echo, err)
	}
}

// TestIdleTimeoutWithinOneHold: the wait between requests still ends at
// the idle timeout, and the drain still closes a connection waiting there.
func TestIdleTimeoutWithinOneHold(t *testing.T) {
	_, addr := serveServer(t, &Server{Bind: "http", Handler: handlerFunc(holdHandler),
		Limits: Limits{IdleTimeout: 150 * time.Millisecond}})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	br := bufio.NewReader(c)
	for _, p := range []string{"/a", "/b"} {
		io.WriteString(c, "GET "+p+" HTTP/1.1\r\nHost: x\r\n\r\n")
		answers(t, "before the timeout", br, 1)
	}
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("idle connection: %v, want it closed (EOF)", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Errorf("closed after %v, want about the idle timeout (150ms)", d)
	}
}
