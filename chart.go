package main

import (
	"fmt"
	"io"
)

func chartCmd(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("chart", stderr)
	path := manifestFlag(fs)
	dot := fs.Bool("dot", false, "print Graphviz DOT (render with `dot -Tsvg`)")
	if code, done := parse(fs, args); done {
		return code
	}
	_, tree, ok := loadForCommand("chart", *path, "charted", stderr)
	if !ok {
		return exitUsage
	}
	var err error
	if *dot {
		err = tree.WriteDOT(stdout)
	} else {
		err = tree.WriteChart(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mothership chart: %v\n", err)
		return 1
	}
	return 0
}
