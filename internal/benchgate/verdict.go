package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// rule is when a slowdown fails the gate: the change of unit must be
// significant (p < alpha, see compare) and beyond both the relative and the
// absolute limit, so that noise on a tiny benchmark does not fail it.
type rule struct {
	kind  string  // "micro" or "end-to-end", for the report
	unit  string  // the unit compared (tidied, as benchfmt reads it)
	rel   float64 // relative limit: 0.10 is +10 %
	abs   float64 // absolute limit, in unit
	scale float64 // shown value = value × scale
	show  string  // the unit as shown
}

// The two rules. End-to-end benchmarks report the process's CPU per
// request (cpu-µs/req), which other load on the machine moves much less
// than wall time; on 2 busy cores 20 µs more CPU per request is only about
// 10 µs more wall time per request, so the CPU is what is gated for them.
var (
	microRule = rule{kind: "micro", unit: "sec/op", rel: 0.10, abs: 2e-9, scale: 1e9, show: "ns/op"}
	e2eRule   = rule{kind: "end-to-end", unit: "cpu-µs/req", rel: 0.10, abs: 10, scale: 1, show: "µs CPU/req"}
)

// ruleFor picks the rule for a benchmark: end-to-end if it reports CPU per
// request, micro otherwise.
func ruleFor(sm *sample) rule {
	if _, ok := sm.values[e2eRule.unit]; ok {
		return e2eRule
	}
	return microRule
}

// alpha is the significance level (benchstat's default too).
const alpha = 0.05

// finding is one line of the verdict.
type finding struct {
	key  string
	fail bool
	text string
}

// verdict is the outcome of a comparison.
type verdict struct {
	findings []finding
	compared int // benchmarks on both sides, compared under a rule
}

// failed tells whether any finding fails the gate.
func (v *verdict) failed() bool {
	for _, f := range v.findings {
		if f.fail {
			return true
		}
	}
	return false
}

func (v *verdict) add(key string, fail bool, format string, args ...any) {
	v.findings = append(v.findings, finding{key, fail, fmt.Sprintf(format, args...)})
}

// judge applies the alloc-free list to the working tree and, when there is
// a base, the slowdown rules to every benchmark on both sides; benchmarks
// on one side only are reported as new or gone.
func judge(base, work *side, free *allocFree) *verdict {
	v := &verdict{}
	checkAllocs(v, work, free)
	if base == nil {
		return v
	}
	for _, k := range work.keys() {
		b, ok := base.samples[k]
		if !ok {
			v.add(k, false, "new: %s (in %s; not on the base)", k, work.samples[k].pkg)
			continue
		}
		if compare(v, k, b, work.samples[k]) {
			v.compared++
		}
	}
	for _, k := range base.keys() {
		if _, ok := work.samples[k]; !ok {
			v.add(k, false, "gone: %s (was in %s on the base)", k, base.samples[k].pkg)
		}
	}
	sort.SliceStable(v.findings, func(i, j int) bool { return v.findings[i].fail && !v.findings[j].fail })
	return v
}

// checkAllocs fails every benchmark on the alloc-free list that allocated
// in any run, and warns about list entries that match no benchmark.
func checkAllocs(v *verdict, work *side, free *allocFree) {
	for _, k := range work.keys() {
		sm := work.samples[k]
		e := free.match(sm.name)
		if e == nil {
			continue
		}
		allocs, ok := sm.values["allocs/op"]
		if !ok {
			v.add(k, true, "%s is on the alloc-free list (%s) but reports no allocs/op: call b.ReportAllocs()", k, e.pos)
			continue
		}
		n, most := 0, 0.0
		for _, a := range allocs {
			if a > 0 {
				n++
				most = max(most, a)
			}
		}
		if n > 0 {
			v.add(k, true, "ALLOCATES: %s: up to %g allocs/op, in %d of %d runs; it is on the alloc-free list (%s: %s)", k, most, n, len(allocs), e.pos, e.why)
		}
	}
	for _, e := range free.unused(work) {
		v.add("", false, "note: %s: %q matches no benchmark of the working tree", e.pos, e.text)
	}
}

// compare applies the benchmark's rule to the two samples; it returns
// false when the unit is missing on a side.
//
// A round runs the two sides back to back, so its pair of results shares
// the machine's load; across rounds that load moves the figures by up to 2×
// here (other engineers' builds and benchmarks), which hides a 15 %
// slowdown from an unpaired test such as benchstat's. So significance is a
// sign test over the rounds' pairs, and the size of the change is taken
// between each side's best run, the one least disturbed: contention only
// ever adds time.
func compare(v *verdict, key string, base, work *sample) bool {
	r := ruleFor(work)
	bv, wv := base.values[r.unit], work.values[r.unit]
	n := min(len(bv), len(wv))
	if n == 0 {
		v.add(key, false, "note: %s: no %s on both sides, not compared", key, r.unit)
		return false
	}
	slower, faster := 0, 0
	for i := range n {
		switch {
		case wv[i] > bv[i]:
			slower++
		case wv[i] < bv[i]:
			faster++
		}
	}
	p := signTest(slower, faster)
	old, cur := slices.Min(bv[:n]), slices.Min(wv[:n])
	delta := cur - old
	if p < alpha && delta > r.abs && delta > r.rel*old {
		v.add(key, true, "SLOWER: %s (%s): best run %.4g → %.4g %s, %+.4g %s (%+.1f%%); slower in %d of %d rounds, p=%.3f; the limit is +%.0f%% and +%g %s",
			key, r.kind, old*r.scale, cur*r.scale, r.show, delta*r.scale, r.show, 100*delta/old,
			slower, n, p, 100*r.rel, r.abs*r.scale, r.show)
	}
	return true
}

// signTest is the two-sided p-value of a sign test: the chance, were
// either side as likely to be slower in a round, of a split at least as
// uneven as slower against faster (ties left out).
func signTest(slower, faster int) float64 {
	n, k := slower+faster, min(slower, faster)
	if n == 0 {
		return 1
	}
	tail, c := 0.0, 1.0 // c is n choose i
	for i := 0; i <= k; i++ {
		tail += c
		c = c * float64(n-i) / float64(i+1)
	}
	return min(1, 2*tail/math.Pow(2, float64(n)))
}
