package manifest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Problem is one finding about a manifest: an error that stops it from
// running, or a warning about something that only the machine it runs on can
// settle (a missing file, a command not on PATH).
type Problem struct {
	// File is the manifest's path as the user gave it.
	File string
	// Line is the 1-based line the problem is about; 0 when unknown.
	Line int
	// Key is the key path, such as `fleet.web[1].routes[0].pattern`.
	Key string
	// Message says what is wrong, and what would be right when that is known.
	Message string
	// Warning marks findings that do not stop `clearance`.
	Warning bool
	// Machine marks warnings about this machine (a missing command, file or
	// directory): `clearance` lets them pass, `run` refuses them.
	Machine bool
}

// Error formats the problem as `file:line: key: message`.
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Key != "" {
		b.WriteString(p.Key)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every finding of one load, in file order.
type Problems []Problem

// Error lists every problem, one a line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Errors returns the problems that are not warnings.
func (ps Problems) Errors() Problems {
	return slices.DeleteFunc(slices.Clone(ps), func(p Problem) bool { return p.Warning })
}

// Warnings returns the problems that are warnings.
func (ps Problems) Warnings() Problems {
	return slices.DeleteFunc(slices.Clone(ps), func(p Problem) bool { return !p.Warning })
}

// Sort orders problems by file, line and key, so that a report reads top to
// bottom like the manifest.
func (ps Problems) Sort() {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Key, b.Key))
	})
}
