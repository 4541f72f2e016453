package h1

import (
	"fmt"
	"testing"
)

func TestParseResponse(t *testing.T) {
	cases := []struct {
		name, head, want string
		status           int // of the refusal; 0 when accepted
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "200 OK cl=5 chunked=false close=false ka=0s", 0},
		{"chunked", "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n", "201 Created cl=-1 chunked=true close=false ka=0s", 0},
		{"close-delimited", "HTTP/1.1 200 OK\r\n\r\n", "200 OK cl=-1 chunked=false close=true ka=0s", 0},
		{"no reason", "HTTP/1.1 204\r\n\r\n", "204  cl=-1 chunked=false close=false ka=0s", 0},
		{"keep-alive timeout", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=5, max=100\r\n\r\n", "200 OK cl=0 chunked=false close=false ka=5s", 0},
		{"1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", "200 OK cl=0 chunked=false close=true ka=0s", 0},
		{"both framing fields", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "", 502},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: 3a\r\n\r\n", "", 502},
		{"differing lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "", 502},
		{"gzip not chunked last", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "", 502},
		{"bad status line", "HTTP/1.1 2000 OK\r\n\r\n", "", 502},
		{"HTTP/2", "HTTP/2 200 OK\r\n\r\n", "", 502},
		{"bad field", "HTTP/1.1 200 OK\r\nBad Field: x\r\n\r\n", "", 502},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", "", 502},
		{"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", "", 502},
	}
	for _, tc := range cases {
		var r Response
		n, err := ParseResponse([]byte(tc.head), &r)
		if tc.status != 0 {
			if e, ok := err.(*Error); !ok || e.Status != tc.status || n != 0 {
				t.Errorf("%s: n=%d err=%v, want a %d", tc.name, n, err, tc.status)
			}
			continue
		}
		if err != nil || n != len(tc.head) {
			t.Errorf("%s: n=%d err=%v", tc.name, n, err)
			continue
		}
		got := fmt.Sprintf("%d %s cl=%d chunked=%v close=%v ka=%v", r.Status, r.Reason, r.ContentLength, r.Chunked, r.Close, r.KeepAliveTimeout)
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	var r Response
	head := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	for i := range len(head) {
		if n, err := ParseResponse([]byte(head[:i]), &r); n != 0 || err != nil {
			t.Fatalf("prefix %q: n=%d err=%v", head[:i], n, err)
		}
	}
	if !(&Response{Status: 304}).NoBody("GET") || !(&Response{Status: 200}).NoBody("HEAD") || (&Response{Status: 200}).NoBody("GET") {
		t.Error("NoBody: 304 and HEAD answers have none, a 200 to GET has one")
	}
}

var upstreamHead = []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Sun, 06 Dec 2026 12:00:00 GMT\r\nContent-Length: 13\r\nKeep-Alive: timeout=5\r\n\r\n")

func TestParseResponseDoesNotAllocate(t *testing.T) {
	var r Response
	ParseResponse(upstreamHead, &r)
	if a := testing.AllocsPerRun(1000, func() { ParseResponse(upstreamHead, &r) }); a != 0 {
		t.Errorf("%v allocations per head, want 0", a)
	}
	buf := make([]byte, 0, 64)
	if a := testing.AllocsPerRun(1000, func() { buf = AppendStatusLine(AppendChunkSize(buf[:0], 4096), 404) }); a != 0 {
		t.Errorf("status line and chunk size: %v allocations, want 0", a)
	}
}

func BenchmarkParseResponse(b *testing.B) {
	var r Response
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(upstreamHead, &r); err != nil {
			b.Fatal(err)
		}
	}
}
