package h1

import (
	"fmt"
	"strings"
	"testing"
)

func parseAll(t *testing.T, head string) (*Request, int, error) {
	t.Helper()
	var r Request
	n, err := ParseRequest([]byte(head), &Limits{}, &r)
	return &r, n, err
}

func TestParseRequestAccepts(t *testing.T) {
	cases := []struct {
		name, head, want string
	}{
		{"curl", "GET /a?b=1 HTTP/1.1\r\nHost: x:8080\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n", "GET /a?b=1 1 host=x:8080 cl=0 chunked=false keep=true ua=curl/8 fields=3"},
		{"HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", "GET / 0 host= cl=0 chunked=false keep=false ua= fields=0"},
		{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET / 0 host= cl=0 chunked=false keep=true ua= fields=1"},
		{"close", "GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n", "GET / 1 host=x cl=0 chunked=false keep=false ua= fields=2"},
		{"HTTP/1.2 served as 1.1", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", "GET / 1 host=x cl=0 chunked=false keep=true ua= fields=1"},
		{"length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "POST / 1 host=x cl=5 chunked=false keep=true ua= fields=2"},
		{"equal lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", "POST / 1 host=x cl=5 chunked=false keep=true ua= fields=3"},
		{"chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", "POST / 1 host=x cl=-1 chunked=true keep=true ua= fields=2"},
		{"absolute form", "GET http://Example.com:81/p?q HTTP/1.1\r\nHost: other\r\n\r\n", "GET /p?q 1 host=Example.com:81 cl=0 chunked=false keep=true ua= fields=1"},
		{"absolute form without path", "GET https://e.com HTTP/1.1\r\nHost: e.com\r\n\r\n", "GET / 1 host=e.com cl=0 chunked=false keep=true ua= fields=1"},
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "OPTIONS * 1 host=x cl=0 chunked=false keep=true ua= fields=1"},
		{"leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / 1 host=x cl=0 chunked=false keep=true ua= fields=1"},
		{"empty value and OWS", "GET / HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Pad: \t v \t\r\n\r\n", "GET / 1 host=x cl=0 chunked=false keep=true ua= fields=3"},
		{"obs-text in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\r\n\r\n", "GET / 1 host=x cl=0 chunked=false keep=true ua= fields=2"},
	}
	for _, tc := range cases {
		r, n, err := parseAll(t, tc.head)
		if err != nil || n != len(tc.head) {
			t.Errorf("%s: n=%d err=%v, want the whole head", tc.name, n, err)
			continue
		}
		got := fmt.Sprintf("%s %s %d host=%s cl=%d chunked=%v keep=%v ua=%s fields=%d", r.Method, r.Target, r.Minor, r.Host, r.ContentLength, r.Chunked, r.KeepAlive, r.UserAgent, r.Header.Len())
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	r, _, _ := parseAll(t, "GET / HTTP/1.1\r\nhost: x\r\nX-Pad: \t v \t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nExpect: 100-continue\r\n\r\n")
	if r.Header.Name(0) != "host" || r.Header.Value(1) != "v" || r.Upgrade != "websocket" || !r.Expect100 {
		t.Errorf("wire case, OWS trimming, Upgrade, Expect: got %q %q %q %v", r.Header.Name(0), r.Header.Value(1), r.Upgrade, r.Expect100)
	}
}

func TestParseRequestRefuses(t *testing.T) {
	long := strings.Repeat("a", 9000)
	cases := []struct {
		name, head string
		status     int
	}{
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400},
		{"bare LF in a field line", "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400},
		{"bare CR in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400},
		{"NUL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"DEL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x7fb\r\n\r\n", 400},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"tab separator", "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"trailing space", "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
		{"no version", "GET /\r\nHost: x\r\n\r\n", 400},
		{"lowercase version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"fragment in the target", "GET /a#b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"control in the target", "GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"bad percent escape", "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"cut percent escape", "GET /a% HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"relative target", "GET a/b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"* but not OPTIONS", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"HTTP/2", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"HTTP/0.9 style", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
		{"empty name", "GET / HTTP/1.1\r\nHost: x\r\n: y\r\n\r\n", 400},
		{"no colon", "GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n", 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400},
		{"folded first line", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"two Hosts", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
		{"two Hosts in 1.0", "GET / HTTP/1.0\r\nHost: x\r\nHost: x\r\n\r\n", 400},
		{"Host with a slash", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n", 400},
		{"Host with a space", "GET / HTTP/1.1\r\nHost: x y\r\n\r\n", 400},
		{"length +5", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n", 400},
		{"length -1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
		{"length 0x05", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x05\r\n\r\n", 400},
		{"length empty", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", 400},
		{"length 19 digits", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000000000\r\n\r\n", 400},
		{"length list, even equal", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", 400},
		{"length list differs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\n", 400},
		{"length fields differ in text", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 06\r\nContent-Length: 6\r\n\r\n", 400},
		{"length fields differ", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
		{"length with a trailing comma", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5,\r\n\r\n", 400},
		{"both framing fields", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"TE in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"chunked not last", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400},
		{"chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"chunked with a parameter", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 400},
		{"gzip before chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
		{"an empty element before chunked", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,chunked\r\n\r\n", 400},
		{"chunked in two fields' lists", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked,\r\n\r\n", 400},
		{"identity", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 400},
		{"unknown expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n", 417},
		{"target too long", "GET /" + long + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"target too long, line unfinished", "GET /" + long, 414},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: "+long+"\r\n", 8) + "\r\n", 431},
		{"head too large, unfinished", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: "+long+"\r\n", 8), 431},
		{"too many fields", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: y\r\n", 100) + "\r\n", 431},
	}
	for _, tc := range cases {
		_, n, err := parseAll(t, tc.head)
		e, ok := err.(*Error)
		if !ok || e.Status != tc.status || n != 0 {
			t.Errorf("%s: n=%d err=%v, want a %d", tc.name, n, err, tc.status)
		}
	}
}

// Every prefix of a valid head asks for more; none is an error.
func TestParseRequestPrefixes(t *testing.T) {
	head := "POST /p?q HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nCookie: a=b\r\n\r\n"
	for i := range len(head) {
		if _, n, err := parseAll(t, head[:i]); n != 0 || err != nil {
			t.Fatalf("prefix %q: n=%d err=%v, want 0 and nil", head[:i], n, err)
		}
	}
}

var browserHead = []byte("GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\nAccept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br, zstd\r\nConnection: keep-alive\r\nCookie: session=abc123; theme=dark\r\nUpgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Site: none\r\nPriority: u=0, i\r\n\r\n")

var curlHead = []byte("GET /ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n")

func TestParseRequestDoesNotAllocate(t *testing.T) {
	var r Request
	var lim Limits
	ParseRequest(browserHead, &lim, &r) // grows the field list once
	if a := testing.AllocsPerRun(1000, func() { ParseRequest(browserHead, &lim, &r) }); a != 0 {
		t.Errorf("%v allocations per head, want 0", a)
	}
}

func BenchmarkParseRequest(b *testing.B) {
	for _, c := range []struct {
		name string
		head []byte
	}{{"curl", curlHead}, {"browser", browserHead}} {
		b.Run(c.name, func(b *testing.B) {
			var r Request
			var lim Limits
			b.ReportAllocs()
			b.SetBytes(int64(len(c.head)))
			for b.Loop() {
				if _, err := ParseRequest(c.head, &lim, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
