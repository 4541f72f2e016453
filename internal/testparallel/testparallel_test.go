package testparallel

import (
	"flag"
	"runtime"
	"testing"
)

// TestAtLeast runs as the test binary was started: without -test.parallel
// on the command line AtLeast raises it to at least n; with it, the
// command line wins.
func TestAtLeast(t *testing.T) {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	before := flag.Lookup("test.parallel").Value.String()
	defer flag.Set("test.parallel", before)
	AtLeast(runtime.GOMAXPROCS(0) + 3)
	got := flag.Lookup("test.parallel").Value.(flag.Getter).Get().(int)
	switch {
	case given && flag.Lookup("test.parallel").Value.String() != before:
		t.Errorf("-test.parallel=%s on the command line became %d", before, got)
	case !given && got != runtime.GOMAXPROCS(0)+3:
		t.Errorf("-test.parallel is %d, want GOMAXPROCS+3 = %d", got, runtime.GOMAXPROCS(0)+3)
	}
}
