//go:build !noja4h

package shields

import (
	"testing"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/routetree"
)

// build compiles the manifest doc's shields for a route on bind http.
func build(t testing.TB, doc string) pipeline.Stage {
	t.Helper()
	m, err := manifest.Parse("test.toml", []byte("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n"+doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(&pipeline.Build{Manifest: m}, &routetree.Route{Bind: "http"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// exchange is a request with the given method, version and fields, its
// fingerprint computed as the engine does; fp false gives it none.
func exchange(method string, minor int, fp bool, fields ...string) (*pipeline.Exchange, *pipelinetest.Recorder) {
	w := &pipelinetest.Recorder{}
	x := &pipeline.Exchange{Method: method, ProtoMinor: minor, Response: w}
	for i := 0; i+1 < len(fields); i += 2 {
		x.Header.Add(fields[i], fields[i+1])
		if fields[i] == "User-Agent" {
			x.UserAgent = fields[i+1]
		}
	}
	if fp {
		x.SetFingerprinter(&ja4h.Fingerprinter{})
	}
	return x, w
}

func TestShields(t *testing.T) {
	s := build(t, `[[mothership.shields]]
name = "no-llm"
ua_filter = "llm"

[[mothership.shields]]
name = "old-posters"
ja4h_prefix = "po10"
action = "redirect"
location = "/upgrade"
`)
	cases := []struct {
		name     string
		method   string
		minor    int
		fp       bool
		fields   []string
		status   int
		location string
	}{
		{"a browser passes", "GET", 1, true, []string{"Host", "x", "User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}, 204, ""},
		{"an AI crawler is blocked", "GET", 1, true, []string{"Host", "x", "User-Agent", "GPTBot/1.0"}, 403, ""},
		{"an HTTP/1.0 POST is redirected by its fingerprint", "POST", 0, true, []string{"Content-Length", "0"}, 302, "/upgrade"},
		{"an HTTP/1.1 POST passes", "POST", 1, true, []string{"Host", "x", "Content-Length", "0"}, 204, ""},
		{"no fingerprint: the fingerprint rule fails closed", "GET", 1, false, []string{"Host", "x", "User-Agent", "curl/8"}, 302, "/upgrade"},
	}
	for _, tc := range cases {
		x, w := exchange(tc.method, tc.minor, tc.fp, tc.fields...)
		s.Serve(x, pipelinetest.End{})
		if w.Code != tc.status || w.Header().Get("Location") != tc.location {
			t.Errorf("%s: %d Location %q, want %d %q", tc.name, w.Code, w.Header().Get("Location"), tc.status, tc.location)
		}
	}
	if build(t, "") != nil {
		t.Error("without rules, a route got the stage")
	}
}

func TestShieldsNoAllocations(t *testing.T) {
	s := build(t, "[[mothership.shields]]\nname = \"no-llm\"\nua_filter = \"llm\"\n\n[[mothership.shields]]\nname = \"x\"\nja4h_prefix = \"po10\"\n")
	x, w := exchange("GET", 1, true, "Host", "x", "User-Agent", "Mozilla/5.0 Firefox/133.0", "Accept", "*/*")
	fp := &ja4h.Fingerprinter{}
	run := func() {
		w.Reset()
		x.SetFingerprinter(fp)
		s.Serve(x, pipelinetest.End{})
	}
	run()
	if a := testing.AllocsPerRun(1000, run); a != 0 || w.Code != 204 {
		t.Errorf("%v allocations (status %d), want 0 and a pass", a, w.Code)
	}
}

// BenchmarkShieldsStage keeps the name the benchmark gate knows.
func BenchmarkShieldsStage(b *testing.B) {
	s := build(b, "[[mothership.shields]]\nname = \"no-llm\"\nua_filter = \"llm\"\n\n[[mothership.shields]]\nname = \"x\"\nja4h_prefix = \"po10\"\n")
	x, w := exchange("GET", 1, true, "Host", "x", "User-Agent", "Mozilla/5.0 Firefox/133.0", "Accept", "*/*")
	fp := &ja4h.Fingerprinter{}
	// One request first: the UA classes compile their lists on first use,
	// and a short run under load must not count that as the stage's.
	x.SetFingerprinter(fp)
	s.Serve(x, pipelinetest.End{})
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		x.SetFingerprinter(fp)
		s.Serve(x, pipelinetest.End{})
	}
}
