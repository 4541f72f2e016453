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
	m, tree, probs, err := loadAndCompile(*path)
	if err != nil {
		fmt.Fprintf(stderr, "mothership chart: %v\n", err)
		return exitUsage
	}
	if len(probs) > 0 {
		printProblems(stderr, m, probs)
		fmt.Fprintf(stderr, "%s: not charted: %s\n", manifestName(m, probs), plural(len(probs), "problem"))
		return exitUsage
	}
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
