package main

import (
	"cmp"
	"runtime"

	"github.com/mothership-go/mothership/manifest"
)

// startCPUs is GOMAXPROCS as the process started: the Go runtime's choice,
// or the GOMAXPROCS environment variable. A manifest without `cpus` gets it
// back on a reload.
var startCPUs = runtime.GOMAXPROCS(0)

// applyCPUs sets how many CPUs the mothership's own goroutines run on at
// once from the manifest's `cpus`, and returns that number. The variable
// itself is left alone, so the ships still start with the runtime's
// default (or the operator's GOMAXPROCS).
func applyCPUs(m *manifest.Manifest) int {
	n := cmp.Or(m.Mothership.CPUs, startCPUs)
	runtime.GOMAXPROCS(n)
	return n
}
