package telemetry

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/mothership-go/mothership/fleet"
)

var _ fleet.Logger = (*Log)(nil)

// maxWidth bounds the name column, so that one long name does not push every
// line of every other process to the right.
const maxWidth = 16

// maxKeep is the largest line buffer kept between lines; one huge line
// should not pin its buffer for the rest of the run.
const maxKeep = 64 << 10

// Log writes the processes' output and the mothership's own events to one
// writer, as text for people or as JSON lines for log collectors. Each line
// goes out in a single Write under a mutex, so lines from concurrent
// goroutines never interleave. It is a fleet.Logger.
type Log struct {
	w     io.Writer
	json  bool
	color bool
	debug atomic.Bool
	tap   atomic.Pointer[func(Entry)] // see SetTap

	mu    sync.Mutex
	buf   []byte
	width int // the longest process name seen so far, up to maxWidth
}

// NewLog returns a log writing to w in format "text" or "json"; color only
// applies to text.
func NewLog(w io.Writer, format string, color bool) (*Log, error) {
	switch format {
	case "text":
		return &Log{w: w, color: color}, nil
	case "json":
		return &Log{w: w, json: true}, nil
	}
	return nil, fmt.Errorf("unknown log format %q: want \"text\" or \"json\"", format)
}

// SetDebug turns debug events on or off; they are dropped by default.
func (l *Log) SetDebug(on bool) { l.debug.Store(on) }

// DebugOn reports whether debug events are logged.
func (l *Log) DebugOn() bool { return l.debug.Load() }

// Output implements fleet.Logger: one line a process wrote. Text keeps the
// line as written, escape sequences included, so that a process's own
// colors survive; JSON escapes it.
func (l *Log) Output(process, stream, line string) {
	l.tapOutput(process, stream, line)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	if l.json {
		b = l.appendJSONHead(b)
		b = appendJSONField(b, "process", process)
		b = appendJSONField(b, "stream", stream)
		b = appendJSONField(b, "message", line)
		b = append(b, '}')
	} else {
		if n := utf8.RuneCountInString(process); n > l.width {
			l.width = min(n, maxWidth)
		}
		b = l.appendName(b, process, nameColor(process))
		b = append(b, line...)
	}
	l.flush(b)
}

// Event implements fleet.Logger: a supervisor event, with kv as key, value
// pairs.
func (l *Log) Event(level, msg string, kv ...any) {
	if level == "debug" && !l.debug.Load() {
		return
	}
	l.tapEvent(level, msg, kv)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buf[:0]
	if l.json {
		b = l.appendJSONEvent(b, level, msg, kv)
	} else {
		b = l.appendTextEvent(b, level, msg, kv)
	}
	l.flush(b)
}

// Debug logs one of the mothership's own events at level debug.
func (l *Log) Debug(msg string, kv ...any) { l.Event("debug", msg, kv...) }

// Info logs one of the mothership's own events at level info.
func (l *Log) Info(msg string, kv ...any) { l.Event("info", msg, kv...) }

// Warn logs one of the mothership's own events at level warn.
func (l *Log) Warn(msg string, kv ...any) { l.Event("warn", msg, kv...) }

// Error logs one of the mothership's own events at level error.
func (l *Log) Error(msg string, kv ...any) { l.Event("error", msg, kv...) }

// flush writes the line b and keeps its buffer for the next; l.mu is held.
func (l *Log) flush(b []byte) {
	b = append(b, '\n')
	// A log has nowhere to report its own failure to write.
	_, _ = l.w.Write(b)
	if cap(b) > maxKeep {
		b = nil
	}
	l.buf = b[:0]
}

func (l *Log) appendJSONHead(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = time.Now().UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// pairs calls f for each key, value pair of kv; a trailing key without a
// value is shown as the value of "!BADKEY", as log/slog does.
func pairs(kv []any, f func(key string, v any)) {
	for i := 0; i < len(kv); i += 2 {
		if i+1 == len(kv) {
			f("!BADKEY", kv[i])
			return
		}
		k, ok := kv[i].(string)
		if !ok {
			k = fmt.Sprint(kv[i])
		}
		f(k, kv[i+1])
	}
}
