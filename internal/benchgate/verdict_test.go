package main

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// canned is one benchmark's results on one side, as a test binary prints them.
type canned struct {
	pkg, name string
	ns        []float64 // ns/op, one per run
	allocs    int
	cpuUS     []float64 // cpu-µs/req, one per run, for an end-to-end benchmark
}

// text prints the run's results in the benchmark format, one per -count.
func (r canned) text() string {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\npkg: github.com/mothership-go/mothership/" + r.pkg + "\n")
	for i, ns := range r.ns {
		fmt.Fprintf(&b, "%s-2 \t 1000000\t %g ns/op", r.name, ns)
		if r.cpuUS != nil {
			fmt.Fprintf(&b, "\t %g cpu-µs/req", r.cpuUS[i])
		}
		fmt.Fprintf(&b, "\t %d B/op\t %d allocs/op\n", 16*r.allocs, r.allocs)
	}
	b.WriteString("PASS\n")
	return b.String()
}

// spread is n values around center, ±1 %, as repeated runs give.
func spread(center float64, n int) []float64 {
	vs := make([]float64, n)
	for i := range vs {
		vs[i] = center * (1 + 0.01*float64(i%3-1)) * (1 + 0.001*float64(i))
	}
	return vs
}

// sides reads canned runs of both sides as the gate does.
func sides(t *testing.T, base, work []canned) (*side, *side) {
	t.Helper()
	outs := func(rs []canned) []output {
		var os []output
		for _, r := range rs {
			os = append(os, output{r.pkg, []byte(r.text())})
		}
		return os
	}
	bp, err := readOutputs(outs(base))
	if err != nil {
		t.Fatal(err)
	}
	wp, err := readOutputs(outs(work))
	if err != nil {
		t.Fatal(err)
	}
	amb := ambiguous(bp, wp)
	return newSide(bp, amb), newSide(wp, amb)
}

const testList = `# test list
BenchmarkLookup      # route lookup
BenchmarkStage/.*    # a stage
`

func TestJudge(t *testing.T) {
	free, err := parseAllocFree("list", []byte(testList))
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(ns float64, allocs int) canned {
		return canned{pkg: "routetree", name: "BenchmarkLookup", ns: spread(ns, 6), allocs: allocs}
	}
	forward := func(cpu float64) canned {
		return canned{pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 6), cpuUS: spread(cpu, 6)}
	}
	cases := []struct {
		name       string
		base, work []canned
		fail       bool
		want       []string // in the findings' text
	}{
		{"unchanged", []canned{lookup(60, 0), forward(128)}, []canned{lookup(60, 0), forward(128)}, false, nil},
		{"alloc in an alloc-free benchmark", []canned{lookup(60, 0)}, []canned{lookup(60, 1)}, true,
			[]string{"ALLOCATES: BenchmarkLookup: up to 1 allocs/op, in 6 of 6 runs", "list:2"}},
		{"alloc in a sub-benchmark on the list", nil,
			[]canned{lookup(60, 0), {pkg: "stages", name: "BenchmarkStage/all", ns: spread(900, 6), allocs: 2}}, true,
			[]string{"ALLOCATES: BenchmarkStage/all"}},
		{"alloc in a benchmark not on the list", []canned{lookup(60, 0), forward(128)}, []canned{lookup(60, 0), {pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 6), cpuUS: spread(128, 6), allocs: 140}}, false, nil},
		{"micro slowdown over both limits", []canned{lookup(60, 0)}, []canned{lookup(80, 0)}, true,
			[]string{"SLOWER: BenchmarkLookup (micro): best run 59.4 → 79.2 ns/op", "+33.3%", "slower in 6 of 6 rounds, p=0.031"}},
		{"micro slowdown under the absolute floor", []canned{lookup(5, 0)}, []canned{lookup(6.5, 0)}, false, nil},
		{"micro slowdown under the relative limit", []canned{lookup(60, 0)}, []canned{lookup(64, 0)}, false, nil},
		{"not significant: slower in 5 of 6 rounds", []canned{{pkg: "routetree", name: "BenchmarkLookup", ns: []float64{60, 60, 60, 60, 60, 60}}},
			[]canned{{pkg: "routetree", name: "BenchmarkLookup", ns: []float64{80, 80, 80, 80, 80, 50}}}, false, nil},
		{"a disturbed round does not hide a slowdown",
			[]canned{{pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 10), cpuUS: []float64{96, 93, 148, 137, 149, 155, 200, 128, 155, 134}}},
			[]canned{{pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 10), cpuUS: []float64{119, 117, 163, 173, 180, 173, 144, 158, 172, 151}}}, true,
			[]string{"best run 93 → 117 µs CPU/req, +24 µs CPU/req (+25.8%); slower in 9 of 10 rounds, p=0.021"}},
		{"load on the working tree's runs only: the best runs agree",
			[]canned{{pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 10), cpuUS: []float64{99, 87, 123, 130, 137, 134, 128, 105, 158, 202}}},
			[]canned{{pkg: "bench", name: "BenchmarkForwardSmall", ns: spread(70000, 10), cpuUS: []float64{95, 91, 139, 142, 172, 148, 131, 185, 192, 193}}}, false, nil},
		{"end-to-end +20 µs CPU per request", []canned{forward(128)}, []canned{forward(148)}, true,
			[]string{"SLOWER: BenchmarkForwardSmall (end-to-end): best run 126.7 → 146.5 µs CPU/req, +19.8 µs CPU/req (+15.6%)"}},
		{"end-to-end +6 µs CPU per request", []canned{forward(128)}, []canned{forward(134)}, false, nil},
		{"new and gone benchmarks", []canned{lookup(60, 0), {pkg: "stages", name: "BenchmarkOld", ns: spread(100, 6)}},
			[]canned{lookup(60, 0), {pkg: "h1", name: "BenchmarkParseRequest", ns: spread(100, 6)}}, false,
			[]string{"new: BenchmarkParseRequest (in h1", "gone: BenchmarkOld (was in stages"}},
		{"a benchmark that moved package still pairs", []canned{{pkg: "stages", name: "BenchmarkStage/cors", ns: spread(100, 6)}},
			[]canned{{pkg: "stages/cors", name: "BenchmarkStage/cors", ns: spread(150, 6)}}, true,
			[]string{"SLOWER: BenchmarkStage/cors (micro)"}},
		{"a list entry that matches nothing is noted", []canned{{pkg: "x", name: "BenchmarkOther", ns: spread(100, 6)}},
			[]canned{{pkg: "x", name: "BenchmarkOther", ns: spread(100, 6)}}, false,
			[]string{`list:2: "BenchmarkLookup" matches no benchmark`}},
	}
	for _, c := range cases {
		base, work := sides(t, c.base, c.work)
		if c.base == nil {
			base = nil
		}
		v := judge(base, work, free)
		var texts []string
		for _, f := range v.findings {
			texts = append(texts, f.text)
		}
		all := strings.Join(texts, "\n")
		if v.failed() != c.fail {
			t.Errorf("%s: failed = %v, want %v; findings:\n%s", c.name, v.failed(), c.fail, all)
		}
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: findings do not say %q:\n%s", c.name, w, all)
			}
		}
	}
}

// TestSameNameInTwoPackages checks that a name benchmarked in two packages
// (BenchmarkJA4H in ja4h and in stages) is told apart by package, in the
// verdict and in benchstat's input, instead of pooling both.
func TestSameNameInTwoPackages(t *testing.T) {
	both := []canned{
		{pkg: "ja4h", name: "BenchmarkJA4H/1", ns: spread(1000, 6)},
		{pkg: "stages", name: "BenchmarkJA4H/1", ns: spread(500, 6)},
	}
	base, work := sides(t, both, both)
	want := []string{"BenchmarkJA4H/pkg=ja4h/1", "BenchmarkJA4H/pkg=stages/1"}
	if got := work.keys(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	if v := judge(base, work, &allocFree{}); v.failed() || v.compared != 2 {
		t.Errorf("compared %d, failed %v, want 2 compared and a pass: %v", v.compared, v.failed(), v.findings)
	}
	var b strings.Builder
	if err := work.writeBenchstat(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(b.String(), w+"-2 ") {
			t.Errorf("benchstat input has no %s-2 line:\n%s", w, b.String())
		}
	}
	if strings.Contains(b.String(), "pkg:") {
		t.Errorf("benchstat input keeps the pkg line, which would split the table by package:\n%s", b.String())
	}
}

func TestSignTest(t *testing.T) {
	cases := []struct {
		slower, faster int
		want           float64
	}{
		{0, 0, 1}, {3, 3, 1}, {6, 0, 2.0 / 64}, {0, 6, 2.0 / 64}, {5, 1, 14.0 / 64},
		{9, 1, 22.0 / 1024}, {8, 2, 112.0 / 1024},
	}
	for _, c := range cases {
		if got := signTest(c.slower, c.faster); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("signTest(%d, %d) = %g, want %g", c.slower, c.faster, got, c.want)
		}
	}
}
