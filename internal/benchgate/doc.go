// Command benchgate is the benchmark regression gate behind .ci/bench-gate:
// it builds the benchmarks of the working tree and of a reference commit
// (checked out in a temporary git worktree), runs the two interleaved, and
// fails when a benchmark on the allocation-free list allocates or when a
// benchmark got significantly slower than the reference beyond a stated
// threshold. benchstat prints the table; a sign test over the rounds'
// pairs decides what is significant (verdict.go says why not benchstat's
// unpaired test).
//
// It owns the comparison rules (verdict.go), reading and pairing benchmark
// output by name (results.go), the alloc-free list (allocfree.go), and the
// orchestration: worktree, builds, runs (worktree.go, build.go, run.go).
// Run it through .ci/bench-gate, which holds the package list.
package main
