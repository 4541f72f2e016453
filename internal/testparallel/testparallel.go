// Package testparallel owns how many parallel tests a package's TestMain
// lets run at once when the command line does not say: tests that mostly
// wait on the processes and sockets they start gain from running more at a
// time than the machine has CPUs, which is go test's default.
package testparallel

import (
	"flag"
	"fmt"
	"runtime"
)

// AtLeast sets -test.parallel to n, or to GOMAXPROCS when that is more,
// unless the command line gave -test.parallel (or -parallel). Call it from
// TestMain before m.Run; it parses the flags if TestMain has not.
func AtLeast(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", fmt.Sprint(max(n, runtime.GOMAXPROCS(0))))
	}
}
