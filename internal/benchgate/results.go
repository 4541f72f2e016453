package main

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// output is what one run of one package's test binary printed.
type output struct {
	pkg  string // the package, relative to the module root ("routetree")
	text []byte
}

// sample is every result of one benchmark on one side, by unit.
type sample struct {
	key     string               // the name benchmarks pair by (see keyFor)
	name    string               // the benchmark's name without -N (for the alloc-free list)
	pkg     string               // the package it last ran in
	results []*benchfmt.Result   // as read, for benchstat
	values  map[string][]float64 // unit (tidied: sec/op, B/op, allocs/op, cpu-µs/req) → one value per run
}

// side is the benchmarks of one tree, by key.
type side struct {
	samples map[string]*sample
}

// procsSuffix is the -N GOMAXPROCS suffix the testing package appends.
var procsSuffix = regexp.MustCompile(`-[0-9]+$`)

// parsed is one benchmark result read from an output, before pairing.
type parsed struct {
	pkg, name string
	res       *benchfmt.Result
}

// readOutputs reads the benchmark results out of the outputs.
func readOutputs(outs []output) ([]parsed, error) {
	var all []parsed
	for _, o := range outs {
		r := benchfmt.NewReader(bytes.NewReader(o.text), o.pkg)
		for r.Scan() {
			switch rec := r.Result().(type) {
			case *benchfmt.Result:
				// Full leaves out the Benchmark prefix; the list and the
				// report use the name as go test prints it.
				name := "Benchmark" + procsSuffix.ReplaceAllString(string(rec.Name.Full()), "")
				all = append(all, parsed{o.pkg, name, rec.Clone()})
			case *benchfmt.SyntaxError:
				return nil, fmt.Errorf("reading the benchmarks of %s: %w", o.pkg, rec)
			}
		}
		if err := r.Err(); err != nil {
			return nil, fmt.Errorf("reading the benchmarks of %s: %w", o.pkg, err)
		}
	}
	return all, nil
}

// ambiguous returns the benchmark names that occur in more than one package
// of one side: those are told apart by package, every other benchmark pairs
// by name alone, so that one moved to another package still pairs.
func ambiguous(sides ...[]parsed) map[string]bool {
	amb := map[string]bool{}
	for _, ps := range sides {
		first := map[string]string{} // name → the first package it was seen in
		for _, p := range ps {
			if pkg, seen := first[p.name]; !seen {
				first[p.name] = p.pkg
			} else if pkg != p.pkg {
				amb[p.name] = true
			}
		}
	}
	return amb
}

// keyFor is the name a benchmark pairs by: its own, or for an ambiguous
// one, with the package put in as a name key after the top-level name
// (BenchmarkJA4H/pkg=stages/1), which benchstat shows as such.
func keyFor(pkg, name string, amb map[string]bool) string {
	if !amb[name] {
		return name
	}
	top, rest, _ := strings.Cut(name, "/")
	key := top + "/pkg=" + pkg
	if rest != "" {
		key += "/" + rest
	}
	return key
}

// newSide groups the parsed results into samples by key.
func newSide(ps []parsed, amb map[string]bool) *side {
	s := &side{samples: map[string]*sample{}}
	for _, p := range ps {
		key := keyFor(p.pkg, p.name, amb)
		sm := s.samples[key]
		if sm == nil {
			sm = &sample{key: key, name: p.name, values: map[string][]float64{}}
			s.samples[key] = sm
		}
		sm.pkg = p.pkg
		sm.results = append(sm.results, p.res)
		for _, v := range p.res.Values {
			sm.values[v.Unit] = append(sm.values[v.Unit], v.Value)
		}
	}
	return s
}

// keys returns the side's benchmark keys in order.
func (s *side) keys() []string {
	ks := make([]string, 0, len(s.samples))
	for k := range s.samples {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeBenchstat writes the side's results for benchstat: named by key,
// without the pkg config line, so that benchstat pairs them as the gate
// does and puts them all in one table.
func (s *side) writeBenchstat(w io.Writer) error {
	bw := benchfmt.NewWriter(w)
	for _, k := range s.keys() {
		sm := s.samples[k]
		for _, r := range sm.results {
			out := r.Clone()
			if _, ok := out.ConfigIndex("pkg"); ok {
				out.SetConfig("pkg", "")
			}
			suffix := procsSuffix.FindString(string(r.Name.Full()))
			out.Name = benchfmt.Name(strings.TrimPrefix(k, "Benchmark") + suffix)
			if err := bw.Write(out); err != nil {
				return fmt.Errorf("writing %s for benchstat: %w", k, err)
			}
		}
	}
	return nil
}
