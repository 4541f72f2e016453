package stages

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// feed runs bytes through a headConn's framing in pieces of size n, as
// reads would deliver them, and returns the heads it recorded, in order.
func feed(stream []byte, n int) [][]byte {
	c := &headConn{limit: MaxHeaderBytes + headSlack}
	var heads [][]byte
	for len(stream) > 0 {
		k := min(n, len(stream))
		c.mu.Lock()
		if c.state != stopped {
			c.scan(stream[:k])
		}
		c.mu.Unlock()
		stream = stream[k:]
		for {
			c.next()
			if c.head() == nil {
				break
			}
			heads = append(heads, bytes.Clone(c.head()))
		}
	}
	return heads
}

func TestHeadFraming(t *testing.T) {
	get1 := "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
	get2 := "GET /b HTTP/1.1\r\nAccept: */*\r\nHost: x\r\n\r\n"
	// A body that looks like a head must not be taken for one.
	fakeHead := "GET /evil HTTP/1.1\r\nX: y\r\n\r\n"
	post := "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(fakeHead)) + "\r\n\r\n"
	chunked := "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
	chunks := "5;ext=1\r\nGET /\r\n" + strings.ToUpper(hexLen(fakeHead)) + "\r\n" + fakeHead + "\r\n0\r\nTrailer: GET / HTTP/1.1\r\n\r\n"
	lf := "GET /lf HTTP/1.0\nHost: x\n\n"
	cases := []struct {
		name   string
		stream string
		heads  []string
	}{
		{"keep-alive", get1 + get2, []string{get1, get2}},
		{"content-length body between", get1 + post + fakeHead + get2, []string{get1, post, get2}},
		{"chunked body between", chunked + chunks + get2, []string{chunked, get2}},
		{"blank lines before a request line", "\r\n\r\n" + get1 + "\n" + get2, []string{get1, get2}},
		{"bare LF", lf + get1, []string{lf, get1}},
		{"zero length", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n" + get1, []string{"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", get1}},
		{"upgrade stops recording", "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n" + get1, []string{"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"}},
		{"bad length stops", "POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n" + get1, []string{"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"}},
		{"two lengths stop", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n" + get1, []string{"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}},
		{"gzip coding stops", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n" + get1, []string{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"}},
		{"bad chunk stops", chunked + "zz\r\n" + get1, []string{chunked}},
	}
	for _, tc := range cases {
		for _, n := range []int{1, 2, 3, 7, 64, 1 << 20} {
			got := feed([]byte(tc.stream), n)
			if len(got) != len(tc.heads) {
				t.Errorf("%s, reads of %d: %d heads %q, want %d", tc.name, n, len(got), got, len(tc.heads))
				continue
			}
			for i := range got {
				if string(got[i]) != tc.heads[i] {
					t.Errorf("%s, reads of %d: head %d = %q, want %q", tc.name, n, i, got[i], tc.heads[i])
				}
			}
		}
	}
}

func TestHeadLimits(t *testing.T) {
	c := &headConn{limit: 100}
	c.scan([]byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 200)))
	if c.state != stopped {
		t.Error("a head over the limit did not stop recording")
	}
	c = &headConn{limit: 1 << 20}
	c.scan(bytes.Repeat([]byte("GET / HTTP/1.1\r\n\r\n"), maxQueuedHeads+1))
	if c.state != stopped || len(c.ends) != maxQueuedHeads {
		t.Errorf("too many queued heads: state %d, %d queued", c.state, len(c.ends))
	}
	for range maxQueuedHeads {
		c.next()
		if c.head() == nil {
			t.Fatal("a queued head was lost")
		}
	}
	c.next()
	if c.head() != nil || c.buf != nil {
		t.Error("after the queue, a stopped recorder has no head and no buffer")
	}
}

func hexLen(s string) string {
	const digits = "0123456789abcdef"
	n, out := len(s), ""
	for n > 0 {
		out = string(digits[n%16]) + out
		n /= 16
	}
	return out
}

// ja4hBackend reports the X-JA4H it got in its body.
func ja4hBackend(t *testing.T) string {
	ts := startBackend(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Got", strings.Join(r.Header.Values("X-Ja4h"), "|"))
		io.WriteString(w, "ok")
	}))
	return backendAddr(ts)
}

// neverShield gives the routes of the bind http the shields stage.
const neverShield = "[[mothership.shields]]\nname = \"never\"\nja4h = \"never\"\n\n"

// roundTrips writes the heads (and bodies) all at once on one connection
// and returns the X-Got of each answer, in order.
func roundTrips(t *testing.T, addr, prefix string, reqs ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, prefix+strings.Join(reqs, "")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var got []string
	for range reqs {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", len(got), err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		got = append(got, res.Header.Get("X-Got"))
	}
	return got
}

func fingerprintOf(head string) string {
	var f Fingerprinter
	return string(f.JA4H([]byte(head)))
}

func TestRawHeadThroughConnection(t *testing.T) {
	p := startProxy(t, bindOnly+neverShield+ship("app", ja4hBackend(t), `{ path_prefix = "/" }`))
	a := "GET /a HTTP/1.1\r\nHost: site.test\r\nUser-Agent: one\r\nAccept: */*\r\nCookie: b=2; a=1\r\n\r\n"
	b := "GET /b HTTP/1.1\r\nAccept: */*\r\nUser-Agent: one\r\nHost: site.test\r\nX-JA4H: spoofed\r\n\r\n"
	body := "GET /evil HTTP/1.1\r\nZ: z\r\n\r\n"
	post := "POST /p HTTP/1.1\r\nHost: site.test\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	chunked := "POST /c HTTP/1.1\r\nHost: site.test\r\nTransfer-Encoding: chunked\r\n\r\n"
	chunks := hexLen(body) + "\r\n" + body + "\r\n0\r\n\r\n"
	got := roundTrips(t, p.addr, "", a, b, post+body, chunked+chunks, a)
	want := []string{fingerprintOf(a), fingerprintOf(b), fingerprintOf(post), fingerprintOf(chunked), fingerprintOf(a)}
	if want[0] == want[1] {
		t.Fatal("the two orders should give different fingerprints")
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: backend got X-JA4H %q, want %q", i, got[i], want[i])
		}
	}
}

func TestRawHeadAfterProxyHeader(t *testing.T) {
	doc := "[mothership.bind]\nhttp = { addr = \"127.0.0.1:1\", proxy_protocol = true }\n\n" + neverShield +
		ship("app", ja4hBackend(t), `{ path_prefix = "/" }`)
	p := startProxy(t, doc)
	a := "GET /a HTTP/1.1\r\nHost: site.test\r\nAccept: */*\r\n\r\n"
	got := roundTrips(t, p.addr, "PROXY TCP4 198.51.100.9 127.0.0.1 5555 80\r\n", a, a)
	if got[0] != fingerprintOf(a) || got[1] != fingerprintOf(a) {
		t.Errorf("after a PROXY header: %q, want %s twice", got, fingerprintOf(a))
	}
}
