package bays

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

// hailOf builds the Hail an HTTP bay stage sends for x and decodes it.
func hailOf(t *testing.T, s *httpBay, x *pipeline.Exchange, n int64) *docking.Hail {
	t.Helper()
	var hb docking.HailBuilder
	hb.Start(nil, 1, uint64(n))
	s.hail(&hb, x, n)
	frame, err := hb.Finish()
	if err != nil {
		t.Fatal(err)
	}
	f, err := docking.NewReader(bytes.NewReader(frame)).Next()
	if err != nil {
		t.Fatal(err)
	}
	h := new(docking.Hail)
	if err := h.Decode(f.Payload); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHailCarriesTheRequestAsCGIParams(t *testing.T) {
	s := &httpBay{software: "mothership/test", policy: fieldpolicy.Policy{Add: []pipeline.Field{{Name: "X-Route", Value: "rack"}}}}
	x, _ := newExchange(t, "POST", "/users?page=2", "hello",
		"Host", "app.test:8443",
		"Content-Type", "application/json",
		"Cookie", "a=1",
		"Accept", "text/html",
		"cookie", "b=2",
		"Accept", "application/json",
		"Connection", "keep-alive, X-Hop",
		"X-Hop", "for the next hop only",
		"Keep-Alive", "timeout=5",
		"X-Forwarded-For", "198.51.100.7",
		"X-Real-Ip", "198.51.100.7",
		"X-Route", "forged",
		"X-JA4H", "forged",
		"Expect", "100-continue",
	)
	h := hailOf(t, s, x, 5)
	for _, tc := range []struct{ name, want string }{
		{"REQUEST_METHOD", "POST"},
		{"SCRIPT_NAME", ""},
		{"PATH_INFO", "/users"},
		{"QUERY_STRING", "page=2"},
		{"SERVER_NAME", "app.test"},
		{"SERVER_PORT", "8443"},
		{"SERVER_PROTOCOL", "HTTP/1.1"},
		{"SERVER_SOFTWARE", "mothership/test"},
		{"REMOTE_ADDR", "203.0.113.9"},
		{"CONTENT_TYPE", "application/json"},
		{"CONTENT_LENGTH", "5"},
		{"HTTP_HOST", "app.test:8443"},
		{"HTTP_COOKIE", "a=1; b=2"},
		{"HTTP_ACCEPT", "text/html, application/json"},
		{"HTTP_X_FORWARDED_FOR", "203.0.113.9"},
		{"HTTP_X_FORWARDED_PROTO", "http"},
		{"HTTP_X_FORWARDED_HOST", "app.test:8443"},
		{"HTTP_X_ROUTE", "rack"},
	} {
		if got, ok := h.Param(tc.name); !ok || string(got) != tc.want {
			t.Errorf("%s: %q (present %v), want %q", tc.name, got, ok, tc.want)
		}
	}
	for _, name := range []string{"HTTP_CONNECTION", "HTTP_X_HOP", "HTTP_KEEP_ALIVE", "HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH", "HTTP_UPGRADE", "HTTP_X_REAL_IP", "HTTP_EXPECT"} {
		if got, ok := h.Param(name); ok {
			t.Errorf("%s: %q sent, want it left out", name, got)
		}
	}
	counts := map[string]int{}
	for _, p := range h.Params {
		counts[string(p.Name)]++
	}
	for name, n := range counts {
		if n > 1 {
			t.Errorf("%s sent %d times, want once", name, n)
		}
	}
	if id, ok := h.Param("HTTP_X_REQUEST_ID"); !ok || len(id) != 16 {
		t.Errorf("HTTP_X_REQUEST_ID %q, want 16 hex characters", id)
	}
	if fp, ok := h.Param("HTTP_X_JA4H"); !ok || string(fp) == "forged" {
		t.Errorf("HTTP_X_JA4H %q (present %v), want ours", fp, ok)
	}
	if start, ok := h.Param("HTTP_X_REQUEST_START"); !ok || !strings.HasPrefix(string(start), "t=") {
		t.Errorf("HTTP_X_REQUEST_START %q, want t=<µs>", start)
	}
}

func TestHailOfAnUpgradeKeepsWhatATunnelNeeds(t *testing.T) {
	s := &httpBay{edit: upstream.PathEditOf(routeWithStrip("/rack"))}
	x, _ := newExchange(t, "GET", "/rack/cable", "", "Host", "app.test", "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", "k", "X-Request-Id", "abc")
	h := hailOf(t, s, x, 0)
	for name, want := range map[string]string{"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "Upgrade", "HTTP_SEC_WEBSOCKET_KEY": "k", "CONTENT_LENGTH": "0", "PATH_INFO": "/cable", "SERVER_PORT": "80"} {
		if got, ok := h.Param(name); !ok || string(got) != want {
			t.Errorf("%s %q (present %v), want %q", name, got, ok, want)
		}
	}
	if id, _ := h.Param("HTTP_X_REQUEST_ID"); string(id) == "abc" {
		t.Errorf("HTTP_X_REQUEST_ID %q: an untrusted client's id was kept", id)
	}
}

func TestReplyFieldsAreCheckedCopiedAndCanonical(t *testing.T) {
	pairs := []struct{ name, value string }{
		{"content-type", "text/plain; charset=utf-8"},
		{"x-tab", "a\tb"},
		{"set-cookie", "a=1; Path=/"},
		{"set-cookie", "b=2"},
		{"x-request-ID", "k"},
		{"", "empty name"},
		{"bad name", "space in the name"},
		{"x-split", "a\r\nSet-Cookie: evil=1"},
		{"x-nul", "a\x00b"},
		{"x:colon", "v"},
		{"x-del", "a\x7fb"},
		{"transfer-encoding", "chunked"},
		{"connection", "close"},
	}
	reply := &docking.Reply{Kind: docking.ReplyStream}
	for _, p := range pairs {
		reply.Headers = append(reply.Headers, docking.Pair{Name: []byte(p.name), Value: []byte(p.value)})
	}
	var h pipeline.Header
	(&httpBay{errorLog: discard}).replyFields(&h, reply)
	for _, p := range reply.Headers { // the link's buffer moves on
		for i := range p.Value {
			p.Value[i] = '#'
		}
	}
	var got []string
	for _, f := range h.Fields() {
		got = append(got, f.Name+": "+f.Value)
	}
	want := []string{"Content-Type: text/plain; charset=utf-8", "X-Tab: a\tb", "Set-Cookie: a=1; Path=/", "Set-Cookie: b=2", "X-Request-Id: k"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fields\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// serveOn runs s on a fresh exchange and returns its recorder.
func serveOn(t *testing.T, s *httpBay, method, target, body string, fields ...string) (*pipeline.Exchange, *fakeConn) {
	t.Helper()
	x, c := newExchange(t, method, target, body, fields...)
	s.Serve(x, nil)
	return x, c
}

func TestHTTPBayAnswers(t *testing.T) {
	text := []docking.Pair{{Name: []byte("content-type"), Value: []byte("text/plain")}}
	berth := httpBayAt(t, func(h *docking.Hail, body []byte) reply {
		path, _ := h.Param("PATH_INFO")
		switch string(path) {
		case "/echo":
			return reply{Reply: docking.Reply{Status: 200, Kind: docking.ReplyStream, Headers: text}, body: "got " + string(body)}
		case "/empty":
			return reply{Reply: docking.Reply{Status: 204, Kind: docking.ReplyEmpty}}
		case "/slow":
			return reply{Reply: docking.Reply{Status: 200, Kind: docking.ReplyEmpty}, delay: 300 * time.Millisecond}
		}
		return reply{Reply: docking.Reply{Status: 404, Kind: docking.ReplyStream, Headers: text}, body: "no"}
	})
	var recycled []int
	s := &httpBay{berth: berth, timeout: 100 * time.Millisecond, errorLog: discard, software: "mothership", maxBody: 1 << 20,
		recycle: func(bay string, pid int) { recycled = append(recycled, pid) }}
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		answer                     string
	}{
		{"a stream reply with the request body", "POST", "/echo", "ping", 200, "got ping"},
		{"an empty reply", "GET", "/empty", "", 204, ""},
		{"another status", "GET", "/missing", "", 404, "no"},
		{"past request_timeout", "GET", "/slow", "", 504, "504 gateway timeout: the target did not answer in time\n"},
	} {
		x, _ := serveOn(t, s, tc.method, tc.target, tc.body)
		if got, body := x.Response.Status(), string(recBody(x)); got != tc.status || body != tc.answer {
			t.Errorf("%s: %d %q, want %d %q", tc.name, got, body, tc.status, tc.answer)
		}
	}
	if len(recycled) != 1 || recycled[0] != 4242 {
		t.Errorf("recycled %v, want the worker that docked the link, 4242", recycled)
	}
}

func TestHTTPBayRefusals(t *testing.T) {
	notDocked := docking.NewBerth(docking.BerthConfig{Name: "rack", Version: docking.VersionHTTP})
	s := &httpBay{berth: notDocked, timeout: time.Second, errorLog: discard}
	x, _ := newExchange(t, "POST", "/", "")
	x.ContentLength = 2 << 30
	s.Serve(x, nil)
	if got := x.Response.Status(); got != 413 {
		t.Errorf("a body declared over 1 GiB: %d, want 413", got)
	}
	x, _ = serveOn(t, s, "GET", "/", "")
	if got, body := x.Response.Status(), string(recBody(x)); got != 502 || !strings.Contains(body, "rack") {
		t.Errorf("a bay not docked: %d %q, want 502 naming the bay", got, body)
	}
	x, _ = newExchange(t, "POST", "/", "")
	x.Body, x.ContentLength = errReader{pipeline.ErrBadBody}, -1 // a bad chunk
	s.Serve(x, nil)
	if got := x.Response.Status(); got != 400 {
		t.Errorf("a malformed body: %d, want 400", got)
	}
}

func TestHTTPBayLetsAClientThatLeftGo(t *testing.T) {
	berth := httpBayAt(t, func(*docking.Hail, []byte) reply {
		return reply{Reply: docking.Reply{Status: 200, Kind: docking.ReplyEmpty}, delay: 3 * time.Second}
	})
	s := &httpBay{berth: berth, timeout: 10 * time.Second, errorLog: discard, maxBody: 1 << 20}
	x, c := newExchange(t, "GET", "/", "")
	c.gone.Store(true)
	began := time.Now()
	s.Serve(x, nil)
	if took := time.Since(began); took > 2500*time.Millisecond || x.Response.Status() != 0 || !c.aborted.Load() {
		t.Errorf("client gone: returned after %s with status %d, aborted %v; want within about a second, no answer, aborted", took, x.Response.Status(), c.aborted.Load())
	}
}

// recBody is what the stage wrote as the body.
func recBody(x *pipeline.Exchange) []byte { return x.Response.(*pipelinetest.Recorder).Body }

// routeWithStrip is a route with strip_prefix.
func routeWithStrip(prefix string) *routetree.Route {
	return &routetree.Route{StripPrefix: prefix, Source: &manifest.Route{}}
}

// errReader is a body that fails with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
