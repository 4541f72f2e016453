package fuzz

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// seedDir holds the seed documents' snippets, the fuzzer's starting corpus.
const seedDir = "../manifest/testdata/seeds"

// FuzzManifest checks that Parse never panics on any input, and that what it
// reports is a manifest.Problems whose every entry names the file, says
// something, and points at a line the input has.
func FuzzManifest(f *testing.F) {
	entries, err := os.ReadDir(seedDir)
	if err != nil {
		f.Fatal(err)
	}
	seeded := 0
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".toml" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		seeded++
	}
	if seeded == 0 {
		f.Fatalf("no seeds in %s", seedDir)
	}
	env := map[string]string{
		"DATABASE_URL": "postgres://db.internal:5432/app",
		"REDIS_URL":    "redis://cache.internal:6379/0",
		"MS_FLAGSHIP":  "true",
	}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	const file = "fuzz.toml"
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.Parse(file, data, lookup)
		lines := bytes.Count(data, []byte("\n")) + 1
		check := func(what string, ps manifest.Problems) {
			for i, p := range ps {
				if p.File != file {
					t.Errorf("%s %d: File = %q, want %q: %v", what, i, p.File, file, p)
				}
				if p.Message == "" {
					t.Errorf("%s %d: empty Message: %+v", what, i, p)
				}
				if p.Line < 0 || p.Line > lines {
					t.Errorf("%s %d: Line %d is outside the input's %d lines: %v", what, i, p.Line, lines, p)
				}
			}
		}
		if err != nil {
			var probs manifest.Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is a %T, not manifest.Problems: %v", err, err)
			}
			if len(probs) == 0 {
				t.Fatalf("error is an empty manifest.Problems")
			}
			check("error", probs)
			for i, p := range probs {
				if p.Warning {
					t.Errorf("error %d is a warning: %v", i, p)
				}
			}
		}
		if m != nil {
			check("warning", m.Warnings)
			// Routes is used by every later pass; it must hold on whatever
			// Parse returns.
			_ = m.Routes()
		}
	})
}
