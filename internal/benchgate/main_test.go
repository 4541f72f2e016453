package main

import (
	"context"
	"strings"
	"testing"
)

func TestCommandLineErrors(t *testing.T) {
	ok := []string{"--packages", "./x", "--alloc-free", "list"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", append(ok, "--fast"), "unknown flag: --fast"},
		{"too few runs", append(ok, "--count", "3"), "--count 3: at least 8 runs"},
		{"bad benchtime", append(ok, "--benchtime", "soon"), `invalid argument "soon" for "--benchtime"`},
		{"stray argument", append(ok, "./routetree"), `unexpected argument "./routetree"`},
		{"no packages", []string{"--alloc-free", "list"}, "--packages is empty"},
		{"no list", []string{"--packages", "./x"}, "--alloc-free is missing"},
	}
	for _, c := range cases {
		var stdout, stderr strings.Builder
		code := run(context.Background(), c.args, &stdout, &stderr)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d", c.name, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), c.want) || !strings.Contains(stderr.String(), "usage: .ci/bench-gate") {
			t.Errorf("%s: stderr does not name the problem (%q) and show the usage:\n%s", c.name, c.want, stderr.String())
		}
	}
}

func TestCountCPUs(t *testing.T) {
	cases := []struct {
		spec string
		want int
		err  bool
	}{
		{"0", 1, false}, {"0,1", 2, false}, {"0,2-3", 3, false},
		{"x", 0, true}, {"3-1", 0, true}, {"", 0, true},
	}
	for _, c := range cases {
		n, err := countCPUs(c.spec)
		if (err != nil) != c.err || n != c.want {
			t.Errorf("countCPUs(%q) = %d, %v; want %d, error %v", c.spec, n, err, c.want, c.err)
		}
	}
}
