package telemetry

import (
	"bytes"
	"encoding/json"
	"io"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// accessExchange is a browser's GET of /ping?token=secret from 192.0.2.7,
// answered 200 with a 13-byte body.
func accessExchange(rec *pipelinetest.Recorder) *pipeline.Exchange {
	x := &pipeline.Exchange{Method: "GET", Target: "/ping?token=secret", Path: "/ping", Host: "app.test", Proto: "HTTP/1.1", ProtoMinor: 1,
		UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		Client:    netip.MustParseAddr("192.0.2.7"), Response: rec}
	x.Header.Add("Host", "app.test")
	x.Header.Add("User-Agent", x.UserAgent)
	x.Header.Add("Accept", "*/*")
	x.SetFingerprinter(new(ja4h.Fingerprinter))
	rec.WriteHeader(200)
	rec.Write([]byte("hello, world\n"))
	return x
}

// syncBuffer is a bytes.Buffer the flusher and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogJSON(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		client   bool
		want     map[string]any // without time, ja4h and request_id
	}{
		{"routed", "ship web", true, map[string]any{"method": "GET", "host": "app.test", "path": "/ping", "status": 200.0, "bytes": 13.0,
			"duration_ms": 1.25, "upstream": "ship web", "client": "192.0.2.7", "ua": "chromium"}},
		{"no route, no client address", "", false, map[string]any{"method": "GET", "host": "app.test", "path": "/ping", "status": 200.0, "bytes": 13.0,
			"duration_ms": 1.25, "ua": "chromium"}},
	}
	for _, tc := range tests {
		var out syncBuffer
		a := NewAccessLog(&out, false)
		x := accessExchange(&pipelinetest.Recorder{})
		if !tc.client {
			x.Client = netip.Addr{}
		}
		a.Access(x, 200, 1250*time.Microsecond, tc.upstream)
		a.Close()
		var got map[string]any
		if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
			t.Errorf("%s: not one JSON line: %v: %q", tc.name, err, out.String())
			continue
		}
		if ts, _ := got["time"].(string); !validTime(ts) {
			t.Errorf("%s: time %q", tc.name, got["time"])
		}
		if got["ja4h"] != string(x.JA4H()) || got["request_id"] != string(x.RequestID()) {
			t.Errorf("%s: ja4h %v and request_id %v, want the exchange's %s and %s", tc.name, got["ja4h"], got["request_id"], x.JA4H(), x.RequestID())
		}
		delete(got, "time")
		delete(got, "ja4h")
		delete(got, "request_id")
		if !equalJSON(got, tc.want) {
			t.Errorf("%s:\ngot  %v\nwant %v", tc.name, got, tc.want)
		}
	}
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

func TestAccessLogText(t *testing.T) {
	tests := []struct {
		name     string
		upstream string
		edit     func(x *pipeline.Exchange)
		want     string // %s stands for the JA4H and the request id
	}{
		{"routed", "ship web", func(*pipeline.Exchange) {},
			`^GET app\.test /ping 200 13B 1\.25ms ship web client=192\.0\.2\.7 ua=chromium ja4h=%s id=%s\n$`},
		{"no route, no client", "", func(x *pipeline.Exchange) { x.Client = netip.Addr{} },
			`^GET app\.test /ping 200 13B 1\.25ms - client=- ua=chromium ja4h=%s id=%s\n$`},
		{"a host that could forge a field is quoted", "ship web", func(x *pipeline.Exchange) { x.Host = "a b\n" },
			`^GET "a b\\n" /ping 200 13B 1\.25ms ship web client=192\.0\.2\.7 ua=chromium ja4h=%s id=%s\n$`},
	}
	for _, tc := range tests {
		var out syncBuffer
		a := NewAccessLog(&out, true)
		x := accessExchange(&pipelinetest.Recorder{})
		tc.edit(x)
		a.Access(x, 200, 1250*time.Microsecond, tc.upstream)
		a.Close()
		re := regexp.MustCompile(sprintfQuoted(tc.want, string(x.JA4H()), string(x.RequestID())))
		if !re.MatchString(out.String()) {
			t.Errorf("%s: line %q, want %s", tc.name, out.String(), re)
		}
	}
}

// sprintfQuoted puts each arg, quoted for a regexp, for the next %s.
func sprintfQuoted(format string, args ...string) string {
	for _, a := range args {
		format = strings.Replace(format, "%s", regexp.QuoteMeta(a), 1)
	}
	return format
}

// TestAccessLogNoAllocations keeps the access log off the request path's
// allocation budget, in both formats.
func TestAccessLogNoAllocations(t *testing.T) {
	for _, text := range []bool{false, true} {
		a := NewAccessLog(io.Discard, text)
		rec := &pipelinetest.Recorder{}
		x := accessExchange(rec)
		if n := testing.AllocsPerRun(1000, func() { a.Access(x, 200, time.Millisecond, "ship web") }); n != 0 {
			t.Errorf("text %v: %v allocations per line, want 0", text, n)
		}
		a.Close()
	}
}

// TestAccessLogFlush: a line waits at most flushEvery when requests are
// few, and Close writes what waits, so that no line is lost at shutdown.
func TestAccessLogFlush(t *testing.T) {
	var out syncBuffer
	a := NewAccessLog(&out, true)
	x := accessExchange(&pipelinetest.Recorder{})
	a.Access(x, 200, time.Millisecond, "ship web")
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if out.String() == "" {
		t.Fatal("the line was not written within 5s")
	}
	for range 3 {
		a.Access(x, 200, time.Millisecond, "ship web")
	}
	a.Close()
	if n := bytes.Count([]byte(out.String()), []byte("\n")); n != 4 {
		t.Errorf("%d lines after Close, want 4:\n%s", n, out.String())
	}
	a.Access(x, 200, time.Millisecond, "ship web")
	if n := bytes.Count([]byte(out.String()), []byte("\n")); n != 5 {
		t.Errorf("a line after Close: %d lines, want 5 at once", n)
	}
}

// BenchmarkAccessLogJSON is what one access line costs a request, JSON;
// BenchmarkAccessLogText the line for people.
func BenchmarkAccessLogJSON(b *testing.B) { benchmarkAccessLog(b, false) }

// BenchmarkAccessLogText: see BenchmarkAccessLogJSON.
func BenchmarkAccessLogText(b *testing.B) { benchmarkAccessLog(b, true) }

func benchmarkAccessLog(b *testing.B, text bool) {
	a := NewAccessLog(io.Discard, text)
	defer a.Close()
	x := accessExchange(&pipelinetest.Recorder{})
	b.ReportAllocs()
	for b.Loop() {
		a.Access(x, 200, time.Millisecond, "ship web")
		x.End() // the next request's id is a new one
	}
}
