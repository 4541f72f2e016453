package main

import (
	"strings"
	"testing"
)

func TestParseAllocFree(t *testing.T) {
	cases := []struct {
		name, text string
		err        string // "" for no error
		match      string // a name the list must match
		miss       string // a name it must not match
	}{
		{"anchored", "BenchmarkA # why\n", "", "BenchmarkA", "BenchmarkAB"},
		{"alternation anchored as a whole", "BenchmarkA|BenchmarkB # why\n", "", "BenchmarkB", "BenchmarkBX"},
		{"comments and blank lines", "# head\n\nBenchmarkA/.* # why\n", "", "BenchmarkA/x", "BenchmarkA"},
		{"no reason", "# head\nBenchmarkA\n", `list:2: "BenchmarkA" has no reason`, "", ""},
		{"empty reason", "BenchmarkA #\n", `list:1: "BenchmarkA #" has no reason`, "", ""},
		{"bad regexp", "\n\nBenchmark( # why\n", `list:3: bad regexp "Benchmark("`, "", ""},
	}
	for _, c := range cases {
		af, err := parseAllocFree("list", []byte(c.text))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if af.match(c.match) == nil {
			t.Errorf("%s: %q is not matched", c.name, c.match)
		}
		if af.match(c.miss) != nil {
			t.Errorf("%s: %q is matched", c.name, c.miss)
		}
	}
}

// TestTheList reads the gate's own list, so that a bad line fails the
// tests and not only a CI run of the gate.
func TestTheList(t *testing.T) {
	af, err := readAllocFree("../../.ci/bench-gate.allocfree")
	if err != nil {
		t.Fatal(err)
	}
	if len(af.entries) == 0 {
		t.Fatal("the alloc-free list is empty")
	}
}
