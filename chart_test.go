package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the chart goldens in testdata/charts")

// TestSeedCharts charts every manifest snippet of the seed documents and
// compares the chart with testdata/charts/NAME.chart, so that a change in
// how any documented manifest routes shows up in review.
func TestSeedCharts(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://db.internal:5432/app")
	t.Setenv("REDIS_URL", "redis://cache.internal:6379")
	t.Setenv("MS_FLAGSHIP", "true")
	seeds, err := filepath.Glob("manifest/testdata/seeds/*.toml")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seed manifests: %v", err)
	}
	for _, seed := range seeds {
		name := strings.TrimSuffix(filepath.Base(seed), ".toml")
		if strings.HasSuffix(name, "-refused") {
			continue
		}
		m, tree, probs, err := loadAndCompile(seed)
		if err != nil || len(probs) > 0 {
			t.Errorf("%s: does not compile: %v %v", name, err, probs)
			continue
		}
		var chart bytes.Buffer
		if err := tree.WriteChart(&chart); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, w := range m.Warnings {
			if w.Key != "" && strings.Contains(w.Message, "never matches") {
				chart.WriteString("warning: " + w.Key + ": " + w.Message + "\n")
			}
		}
		golden := filepath.Join("testdata", "charts", name+".chart")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, chart.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test . -run SeedCharts -update)", name, err)
			continue
		}
		if !bytes.Equal(chart.Bytes(), want) {
			t.Errorf("%s: chart differs from %s (run go test . -run SeedCharts -update to accept):\ngot:\n%s\nwant:\n%s", name, golden, chart.Bytes(), want)
		}
	}
}
