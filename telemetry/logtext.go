package telemetry

import (
	"hash/fnv"
	"unicode/utf8"
)

const (
	reset = "\x1b[0m"
	bold  = "1"
)

// palette holds the name colors: no red, which belongs to errors, and no
// white or black, which vanish on one background or the other.
var palette = [...]string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// nameColor gives a process the same color in every run, so that people
// learn which is which.
func nameColor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return palette[h.Sum32()%uint32(len(palette))]
}

// appendName appends `name | `, the name colored with the SGR code color
// and padded to the column width.
func (l *Log) appendName(b []byte, name, color string) []byte {
	b = l.appendColored(b, color, name)
	for n := utf8.RuneCountInString(name); n < l.width; n++ {
		b = append(b, ' ')
	}
	return append(b, " | "...)
}

// appendColored appends s, in the SGR color when the log is colored.
func (l *Log) appendColored(b []byte, color, s string) []byte {
	if !l.color || color == "" {
		return append(b, s...)
	}
	b = append(b, "\x1b["...)
	b = append(b, color...)
	b = append(b, 'm')
	b = append(b, s...)
	return append(b, reset...)
}
