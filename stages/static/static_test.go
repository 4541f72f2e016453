package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/routetree"
)

// build compiles doc, read as if from a manifest in dir.
func build(t *testing.T, dir, doc string) *pipeline.Build {
	t.Helper()
	m, err := manifest.Parse(filepath.Join(dir, "ship-manifest.toml"), []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	m.Dir = dir
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	return &pipeline.Build{Manifest: m, Tree: tree}
}

const staticOnly = "[mothership.bind]\nhttp = \"127.0.0.1:1\"\nother = \"127.0.0.1:2\"\n\n" +
	"[[mothership.static_dirs]]\npath = \"public\"\nbind = \"http\"\n"

// TestRelativeDirAndFallback checks that a relative static path is
// relative to the manifest's directory, that a bind without static
// directories gets no stage, and that a missing directory is an error
// naming where it is declared.
func TestRelativeDirAndFallback(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "public", "index.html"), []byte("<h1>home</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := build(t, dir, staticOnly)
	st, err := Fallback(b, b.Tree.Bind("http"))
	if err != nil || st == nil {
		t.Fatalf("Fallback on bind http: %v, %v; want the stage", st, err)
	}
	rec := &pipelinetest.Recorder{}
	x := &pipeline.Exchange{Method: "GET", Path: "/", RawPath: "/", Response: rec}
	st.Serve(x, pipelinetest.End{})
	if rec.Code != 200 || string(rec.Body) != "<h1>home</h1>" {
		t.Errorf("GET /: %d %q, want public/index.html", rec.Code, rec.Body)
	}
	if st, err := Fallback(b, b.Tree.Bind("other")); st != nil || err != nil {
		t.Errorf("Fallback on bind other: %v, %v; want none", st, err)
	}

	b = build(t, t.TempDir(), staticOnly)
	_, err = Fallback(b, b.Tree.Bind("http"))
	if err == nil || !strings.Contains(err.Error(), "static directory") || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("missing directory: %v, want a static directory error at line 5", err)
	}
}
