package telemetry

import (
	"strings"
	"time"
)

// Entry is one line of the log as SetTap's function gets it: a process's
// output line, or one of the mothership's own events.
type Entry struct {
	// Time is when the log got the line.
	Time time.Time `json:"time"`
	// Process is the process that wrote the line, or "mothership" for an event.
	Process string `json:"process"`
	// Stream is "stdout" or "stderr" for output, "event" for an event.
	Stream string `json:"stream"`
	// Level is an event's level; "" for output.
	Level string `json:"level,omitempty"`
	// Text is the line: output as the process wrote it, an event as the
	// text log shows it after the name column (zerolog's console line:
	// level, message, key=value pairs), without colors.
	Text string `json:"text"`
}

// SetTap hands every line the log writes to f as well, in the order the
// log gets them, debug events only while debug is on; nil stops it. f is
// called on the logging goroutine, so it must be quick and must not log.
// The dashboard and the control socket read the log this way, so that they
// show exactly what the log says.
func (l *Log) SetTap(f func(Entry)) {
	if f == nil {
		l.tap.Store(nil)
		return
	}
	l.tap.Store(&f)
}

func (l *Log) tapOutput(process, stream, line string) {
	if f := l.tap.Load(); f != nil {
		(*f)(Entry{Time: time.Now(), Process: process, Stream: stream, Text: line})
	}
}

func (l *Log) tapEvent(level, text string) {
	if f := l.tap.Load(); f != nil {
		(*f)(Entry{Time: time.Now(), Process: "mothership", Stream: "event", Level: level, Text: strings.TrimSuffix(text, "\n")})
	}
}
