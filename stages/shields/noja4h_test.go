//go:build noja4h

package shields

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/routetree"
)

// TestWithoutJA4H checks a build with -tags noja4h: a rule on a
// fingerprint is refused with its line, since it could never hold; a rule
// on the User-Agent still works.
func TestWithoutJA4H(t *testing.T) {
	for _, tc := range []struct{ name, doc, err string }{
		{"ja4h_prefix", "[[mothership.shields]]\nname = \"old\"\nja4h_prefix = \"po10\"\n", `shield "old" (line 4): this build leaves JA4H out`},
		{"ja4h", "[[mothership.shields]]\nname = \"one\"\nja4h = \"ge11nn00enus_000000000000_000000000000_000000000000\"\n", `shield "one" (line 4): this build leaves JA4H out`},
	} {
		m, err := manifest.Parse("test.toml", []byte("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n"+tc.doc), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if _, err := Build(&pipeline.Build{Manifest: m}, &routetree.Route{Bind: "http"}); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: Build gave %v, want %q", tc.name, err, tc.err)
		}
	}
	m, err := manifest.Parse("test.toml", []byte("[mothership.bind]\nhttp = \"127.0.0.1:1\"\n\n[[mothership.shields]]\nname = \"llm\"\nua_filter = \"llm\"\n"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(&pipeline.Build{Manifest: m}, &routetree.Route{Bind: "http"})
	if err != nil {
		t.Fatal(err)
	}
	w := &pipelinetest.Recorder{}
	x := &pipeline.Exchange{Method: "GET", UserAgent: "GPTBot/1.2", Response: w}
	st.Serve(x, pipelinetest.End{})
	if w.Code != 403 {
		t.Errorf("GPTBot under ua_filter = \"llm\" without JA4H: %d, want 403", w.Code)
	}
}
