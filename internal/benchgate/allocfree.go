package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// allocFree is the list of benchmarks that must not allocate: regexps over
// the benchmark name without its -N suffix, anchored at both ends, each
// with the reason it is on the list.
type allocFree struct {
	entries []*allocEntry
}

type allocEntry struct {
	pos  string // file:line
	text string
	why  string
	re   *regexp.Regexp
}

// readAllocFree reads the list file.
func readAllocFree(path string) (*allocFree, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the alloc-free list: %w", err)
	}
	return parseAllocFree(path, data)
}

// parseAllocFree parses the list: one regexp per line, then " # " and why;
// blank lines and lines starting with # are skipped.
func parseAllocFree(path string, data []byte) (*allocFree, error) {
	af := &allocFree{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pos := fmt.Sprintf("%s:%d", path, n)
		text, why, ok := strings.Cut(line, " #")
		text, why = strings.TrimSpace(text), strings.TrimSpace(why)
		if !ok || why == "" {
			return nil, fmt.Errorf("%s: %q has no reason: write it after \" # \"", pos, line)
		}
		re, err := regexp.Compile("^(?:" + text + ")$")
		if err != nil {
			return nil, fmt.Errorf("%s: bad regexp %q: %w", pos, text, err)
		}
		af.entries = append(af.entries, &allocEntry{pos: pos, text: text, why: why, re: re})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return af, nil
}

// match returns the first entry that names the benchmark, or nil.
func (af *allocFree) match(name string) *allocEntry {
	for _, e := range af.entries {
		if e.re.MatchString(name) {
			return e
		}
	}
	return nil
}

// unused returns the entries that name no benchmark of the side: after a
// rename the list would otherwise guard nothing without anyone noticing.
func (af *allocFree) unused(s *side) []*allocEntry {
	var out []*allocEntry
	for _, e := range af.entries {
		used := false
		for _, sm := range s.samples {
			used = used || e.re.MatchString(sm.name)
		}
		if !used {
			out = append(out, e)
		}
	}
	return out
}
