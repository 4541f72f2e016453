package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/ja4h"
)

func TestForwardWritesItsOwnHeadUpstream(t *testing.T) {
	got := make(chan *http.Request, 1)
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		got <- r
		w.Header().Set("X-Backend", "yes")
		w.Header().Set("Keep-Alive", "timeout=5")
		io.WriteString(w, "hello")
	})
	addr := start(t, to(be))
	c, br := dial(t, addr)
	fmt.Fprint(c, "GET /a%20b?q=1 HTTP/1.1\r\nHost: example.test\r\nUser-Agent: curl/8.0\r\nConnection: X-Secret\r\nX-Secret: drop me\r\nTE: trailers\r\nX-JA4H: forged\r\nX-Forwarded-For: 6.6.6.6\r\n\r\n")
	resp, body := readResponse(t, br, "GET")
	r := <-got
	checks := []struct{ name, got, want string }{
		{"status", resp.Status, "200 OK"},
		{"body", body, "hello"},
		{"backend field", resp.Header.Get("X-Backend"), "yes"},
		{"upstream's Keep-Alive not relayed", resp.Header.Get("Keep-Alive"), ""},
		{"target sent as the client escaped it", r.RequestURI, "/a%20b?q=1"},
		{"Host kept", r.Host, "example.test"},
		{"field named by Connection dropped", r.Header.Get("X-Secret"), ""},
		{"TE dropped", r.Header.Get("Te"), ""},
		{"X-Forwarded-For from an untrusted peer replaced", r.Header.Get("X-Forwarded-For"), "127.0.0.1"},
		{"X-Forwarded-Proto", r.Header.Get("X-Forwarded-Proto"), "http"},
		{"X-Forwarded-Host", r.Header.Get("X-Forwarded-Host"), "example.test"},
		{"User-Agent passed", r.Header.Get("User-Agent"), "curl/8.0"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if j := r.Header.Values("X-Ja4h"); ja4h.Enabled && (len(j) != 1 || len(j[0]) != 51 || j[0] == "forged") {
		t.Errorf("X-JA4H: got %q, want one 51-character fingerprint of ours", j)
	} else if !ja4h.Enabled && len(j) != 0 {
		t.Errorf("X-JA4H in a build without JA4H: got %q, want none (the client's dropped too)", j)
	}
	if id := r.Header.Get("X-Request-Id"); len(id) != 16 {
		t.Errorf("X-Request-Id: got %q, want 16 hex characters", id)
	}
}

func TestKeepAliveAndPipelining(t *testing.T) {
	be := backend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	addr := start(t, to(be))
	c, br := dial(t, addr)
	// Three requests in one write: the answers come back in order, on the
	// same connection.
	fmt.Fprint(c, "GET /one HTTP/1.1\r\nHost: x\r\n\r\nGET /two HTTP/1.1\r\nHost: x\r\n\r\nHEAD /three HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, want := range []string{"/one", "/two"} {
		if _, body := readResponse(t, br, "GET"); body != want {
			t.Errorf("pipelined answer: got %q, want %q", body, want)
		}
	}
	resp, body := readResponse(t, br, "HEAD")
	if body != "" || resp.ContentLength != int64(len("/three")) {
		t.Errorf("HEAD: got body %q and length %d, want none and %d", body, resp.ContentLength, len("/three"))
	}
	fmt.Fprint(c, "GET /four HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "/four" {
		t.Errorf("a later request on the kept connection: got %q", body)
	}
}

func TestBodiesBothWays(t *testing.T) {
	got := make(chan string, 4)
	be := backend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- fmt.Sprintf("%d %v %s", r.ContentLength, r.TransferEncoding, b)
		w.(http.Flusher).Flush() // a chunked answer
		io.WriteString(w, "re:"+string(b))
	})
	addr := start(t, to(be))
	cases := []struct{ name, req, upstream, answer string }{
		{"chunked body buffered and sent with its length", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n", "5 [] abcde", "re:abcde"},
		{"length body", "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz", "4 [] wxyz", "re:wxyz"},
		{"100-continue answered by the engine", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n", "2 [] ok", "re:ok"},
	}
	for _, tc := range cases {
		c, br := dial(t, addr)
		fmt.Fprint(c, tc.req)
		if strings.Contains(tc.req, "100-continue") {
			line, _ := br.ReadString('\n')
			if line != "HTTP/1.1 100 Continue\r\n" {
				t.Errorf("%s: first line %q, want 100 Continue", tc.name, line)
			}
			br.ReadString('\n')
			io.WriteString(c, "ok")
		}
		resp, body := readResponse(t, br, "POST")
		if body != tc.answer || len(resp.TransferEncoding) != 1 {
			t.Errorf("%s: client got %q (framing %v), want %q chunked", tc.name, body, resp.TransferEncoding, tc.answer)
		}
		if up := <-got; up != tc.upstream {
			t.Errorf("%s: upstream got %q, want %q", tc.name, up, tc.upstream)
		}
	}
}

// A backend that closes every connection after its answer without saying
// so: the pool must notice before reusing one (nginx: 0 errors). A POST
// is never sent on a connection that was not peeked; a GET may be, and is
// sent again on a new connection when the reused one was closed.
//
// The client sends its next request once the backend has closed: the
// close the pool must notice came before the reuse. A close that races
// the next request (the backend between its write and its close while the
// proxy peeks and sends) cannot be won for a POST: a FIN after the request
// went does not prove the backend did not act on it, and a proxy must not
// send a non-idempotent request twice (RFC 9110 §9.2.2); nginx answers 502
// there too.
func TestUpstreamThatClosesAfterEachResponse(t *testing.T) {
	closed := make(chan struct{}, 1)
	be := rawBackend(t, func(c net.Conn) {
		readRequests(c, func(*http.Request, string) bool {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			c.Close()
			closed <- struct{}{}
			return false
		})
	})
	addr := start(t, to(be))
	client := &http.Client{Timeout: 5 * time.Second}
	for _, method := range []string{"POST", "GET"} {
		failed := 0
		for i := range 100 {
			req, err := http.NewRequest(method, "http://"+addr+"/", nil)
			if method == "POST" {
				req, err = http.NewRequest(method, "http://"+addr+"/", strings.NewReader(fmt.Sprint(i)))
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %d: %v", method, i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				failed++
				continue // the backend did not answer this one
			}
			select {
			case <-closed:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s %d: the backend did not close its connection after the answer", method, i)
			}
		}
		if failed > 0 {
			t.Errorf("%s: %d of 100 failed, want 0", method, failed)
		}
	}
}

// An upstream that answers a GET's body as a second request (it ignores
// bodies on GET): the second answer arrives on the idle connection, which
// must be dropped, not reused without a peek, or the next client would get
// it.
func TestUnaskedAnswerAfterABodyDropsTheConnection(t *testing.T) {
	be := rawBackend(t, func(c net.Conn) {
		readRequests(c, func(_ *http.Request, body string) bool {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			if body != "" {
				time.Sleep(20 * time.Millisecond)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")
			}
			return true
		})
	})
	addr := start(t, to(be))
	c, br := dial(t, addr)
	steps := []struct{ name, request string }{
		{"a GET with a body", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"},
		{"the next GET", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
	}
	for _, s := range steps {
		io.WriteString(c, s.request)
		if _, body := readResponse(t, br, "GET"); body != "ok" {
			t.Errorf("%s: got %q, want ok", s.name, body)
		}
		time.Sleep(100 * time.Millisecond) // the unasked answer reaches the idle connection
	}
}

// An upstream that dies mid-body: the client gets the head and the bytes
// that came, then the connection closes, so the answer cannot look whole.
func TestUpstreamDyingMidBodyCutsTheClient(t *testing.T) {
	be := rawBackend(t, func(c net.Conn) {
		readRequests(c, func(*http.Request, string) bool {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
			return false
		})
	})
	addr := start(t, to(be))
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != "0123456789" || err == nil {
		t.Errorf("got %d, body %q, error %v; want 200, the 10 bytes, then an unexpected EOF", resp.StatusCode, b, err)
	}
}

func TestUpstreamFramingRefused(t *testing.T) {
	cases := []struct{ name, answer string }{
		{"both framing fields", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		{"malformed head", "HTTP/1.1 200 OK\r\nBad Field: x\r\n\r\n"},
	}
	for _, tc := range cases {
		be := rawBackend(t, func(c net.Conn) {
			readRequests(c, func(*http.Request, string) bool { io.WriteString(c, tc.answer); return false })
		})
		addr := start(t, to(be))
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 502 {
			t.Errorf("%s: got %d, want 502", tc.name, resp.StatusCode)
		}
	}
}

func TestUpgradeTunnelsBothWaysWithHalfClose(t *testing.T) {
	be := rawBackend(t, func(c net.Conn) {
		readRequests(c, func(r *http.Request, _ string) bool {
			if r.Header.Get("Upgrade") != "echo" {
				io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
				return false
			}
			io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
			io.Copy(c, c) // echo until the client half-closes
			c.(*net.TCPConn).CloseWrite()
			return false
		})
	})
	addr := start(t, to(be))
	c, br := dial(t, addr)
	fmt.Fprint(c, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		t.Fatalf("got %v %v, want 101 with Upgrade: echo", resp, err)
	}
	io.WriteString(c, "ping")
	c.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(br)
	if string(rest) != "ping" || err != nil {
		t.Errorf("through the tunnel: got %q, %v; want the echo then the end", rest, err)
	}
}

func TestSlowBodiesHoldNoUpstreamConnection(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	be := rawBackend(t, func(c net.Conn) {
		mu.Lock()
		conns++
		mu.Unlock()
		readRequests(c, func(*http.Request, string) bool {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			return true
		})
	})
	addr := start(t, to(be))
	for range 5 {
		c, _ := dial(t, addr)
		fmt.Fprint(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab") // and then nothing
	}
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if conns != 0 {
		t.Errorf("%d upstream connections opened for bodies still arriving, want 0", conns)
	}
}
