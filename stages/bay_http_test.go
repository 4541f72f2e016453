package stages

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/docking"
)

// hailOf builds the Hail bayHTTP sends for a request and decodes it.
func hailOf(t *testing.T, s *bayHTTP, x *Exchange, n int64) *docking.Hail {
	t.Helper()
	var hb docking.HailBuilder
	hb.Start(nil, 1, uint64(n))
	req := httptest.NewRequest(x.Method, "http://"+x.Host+x.Path, nil)
	req.ContentLength = n
	s.hail(&hb, x, req, n)
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

func TestBayHailParams(t *testing.T) {
	s := &bayHTTP{
		edit:     pathEdit{strip: "/rack"},
		software: "mothership/test",
		add:      []headerValue{{name: "X-Route", value: []string{"rack"}}},
	}
	x := &Exchange{
		Method: "POST", Path: "/rack/users", RawQuery: "page=2", Host: "app.test:8443", Proto: "HTTP/1.1", Scheme: "http",
		Header: http.Header{
			"Content-Type":    {"application/json"},
			"Cookie":          {"a=1", "b=2"},
			"Accept":          {"text/html", "application/json"},
			"Connection":      {"keep-alive, X-Hop"},
			"X-Hop":           {"for the next hop only"},
			"Keep-Alive":      {"timeout=5"},
			"X-Forwarded-For": {"198.51.100.7"},
		},
		Client: netip.MustParseAddr("203.0.113.9"), peerIP: "203.0.113.9",
	}
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
		{"HTTP_X_ROUTE", "rack"},
	} {
		if got, ok := h.Param(tc.name); !ok || string(got) != tc.want {
			t.Errorf("%s: %q (present %v), want %q", tc.name, got, ok, tc.want)
		}
	}
	for _, name := range []string{"HTTP_CONNECTION", "HTTP_X_HOP", "HTTP_KEEP_ALIVE", "HTTP_CONTENT_TYPE", "HTTP_UPGRADE"} {
		if got, ok := h.Param(name); ok {
			t.Errorf("%s: %q sent, want it left out", name, got)
		}
	}
	if id, ok := h.Param("HTTP_X_REQUEST_ID"); !ok || len(id) == 0 {
		t.Error("no HTTP_X_REQUEST_ID")
	}
	if start, ok := h.Param("HTTP_X_REQUEST_START"); !ok || !strings.HasPrefix(string(start), "t=") {
		t.Errorf("HTTP_X_REQUEST_START %q, want t=<µs>", start)
	}

	// An upgrade keeps what the bay needs to offer a tunnel.
	x.Header = http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}, "Sec-Websocket-Key": {"k"}}
	x.Method = "GET"
	h = hailOf(t, s, x, 0)
	for name, want := range map[string]string{"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "Upgrade", "HTTP_SEC_WEBSOCKET_KEY": "k", "CONTENT_LENGTH": "0"} {
		if got, ok := h.Param(name); !ok || string(got) != want {
			t.Errorf("upgrade: %s %q (present %v), want %q", name, got, ok, want)
		}
	}
}

func TestBayReplyHeaderChecks(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		ok          bool
	}{
		{"content-type", "text/plain; charset=utf-8", true},
		{"x-tab", "a\tb", true},
		{"set-cookie", "a=1; Path=/", true},
		{"", "empty name", false},
		{"bad name", "space in the name", false},
		{"x-split", "a\r\nSet-Cookie: evil=1", false},
		{"x-nul", "a\x00b", false},
		{"x:colon", "v", false},
		{"x-del", "a\x7fb", false},
	} {
		got := validHeaderName([]byte(tc.name)) && validHeaderValue([]byte(tc.value))
		if got != tc.ok {
			t.Errorf("%q: %q: valid %v, want %v", tc.name, tc.value, got, tc.ok)
		}
	}
}
