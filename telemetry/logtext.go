package telemetry

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	reset = "\x1b[0m"
	bold  = "1"
)

// palette holds the name colors: no red, which belongs to errors, and no
// white or black, which vanish on one background or the other.
var palette = [...]string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

// levelColors paints the levels that need attention, and dims debug, which
// is mostly noise.
var levelColors = map[string]string{"debug": "2", "warn": "33", "error": "31"}

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

// appendTextEvent appends `mothership | LEVEL msg key=value …`; info, the
// usual level, is left out so that the rest stand out.
func (l *Log) appendTextEvent(b []byte, level, msg string, kv []any) []byte {
	b = l.appendName(b, "mothership", bold)
	return l.appendEventBody(b, level, msg, kv)
}

// appendEventBody appends an event as its text line shows it after the name.
func (l *Log) appendEventBody(b []byte, level, msg string, kv []any) []byte {
	if level != "info" {
		b = l.appendColored(b, levelColors[level], strings.ToUpper(level))
		b = append(b, ' ')
	}
	b = append(b, msg...)
	pairs(kv, func(k string, v any) {
		b = append(b, ' ')
		b = appendTextValue(b, k)
		b = append(b, '=')
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		b = appendTextValue(b, s)
	})
	return b
}

// appendTextValue quotes s when it would not read back as one value:
// empty, or with a space, quote, equals sign, control character or invalid
// UTF-8 in it.
func appendTextValue(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '=' || r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}
