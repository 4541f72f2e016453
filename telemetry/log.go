package telemetry

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/rs/zerolog"

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
// writer. Events are zerolog's: JSON lines for log collectors, or, as
// text for people, zerolog's console line after a `mothership | ` name
// column. Process output keeps its own text lines, `name | line`, the name
// padded and colored, or is a JSON line with the process and stream. Each
// line goes out in a single Write under a mutex, so lines from concurrent
// goroutines never interleave. It is a fleet.Logger.
type Log struct {
	w     io.Writer
	json  bool
	color bool
	debug atomic.Bool
	tap   atomic.Pointer[func(Entry)] // see SetTap

	mu    sync.Mutex
	zl    zerolog.Logger // encodes into line
	line  lineCapture
	buf   []byte
	width int // the longest process name seen so far, up to maxWidth
}

// NewLog returns a log writing to w in format "text" or "json"; color only
// applies to text.
func NewLog(w io.Writer, format string, color bool) (*Log, error) {
	var l *Log
	switch format {
	case "text":
		l = &Log{w: w, color: color}
	case "json":
		l = &Log{w: w, json: true}
	default:
		return nil, fmt.Errorf("unknown log format %q: want \"text\" or \"json\"", format)
	}
	l.zl = zerolog.New(&l.line).With().Timestamp().Logger()
	return l, nil
}

// lineCapture keeps the line zerolog wrote last, so that the log can
// write it, render it as text, or tap it, under its mutex.
type lineCapture struct{ b []byte }

func (c *lineCapture) Write(p []byte) (int, error) {
	c.b = append(c.b[:0], p...)
	return len(p), nil
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
	if l.json {
		l.zl.Log().Str("process", process).Str("stream", stream).Msg(line)
		l.write(l.line.b)
		return
	}
	if n := utf8.RuneCountInString(process); n > l.width {
		l.width = min(n, maxWidth)
	}
	b := l.appendName(l.buf[:0], process, nameColor(process))
	b = append(b, line...)
	l.flush(append(b, '\n'))
}

// Event implements fleet.Logger: a supervisor event, with kv as key, value
// pairs.
func (l *Log) Event(level, msg string, kv ...any) {
	if level == "debug" && !l.debug.Load() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := l.encodeEvent(level, msg, kv)
	tapped := l.tap.Load() != nil
	if tapped {
		l.tapEvent(level, string(renderConsole(l.line.b, keys, false)))
	}
	if l.json {
		l.write(l.line.b)
		return
	}
	b := l.appendName(l.buf[:0], "mothership", bold)
	b = append(b, renderConsole(l.line.b, keys, l.color)...)
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

// write writes one whole line; l.mu is held. A log has nowhere to report
// its own failure to write.
func (l *Log) write(b []byte) { _, _ = l.w.Write(b) }

// flush writes the line b, newline included, and keeps its buffer for the
// next; l.mu is held.
func (l *Log) flush(b []byte) {
	l.write(b)
	if cap(b) > maxKeep {
		b = nil
	}
	l.buf = b[:0]
}

// renderConsole renders the JSON event line as zerolog's console writer
// does, with the fields in keys' order (the caller's, not sorted), the
// time left out: a terminal or a journal stamps lines itself, and the
// process lines beside it have none. The line ends in a newline.
func renderConsole(line []byte, keys []string, color bool) []byte {
	var out bytes.Buffer
	cw := zerolog.ConsoleWriter{
		Out:              &out,
		NoColor:          !color,
		PartsOrder:       []string{zerolog.LevelFieldName, zerolog.MessageFieldName},
		FieldsOrder:      keys,
		FormatFieldValue: formatFieldValue,
	}
	if _, err := cw.Write(line); err != nil {
		// The line is zerolog's own JSON; if it could not be read back,
		// the JSON is still better than nothing.
		return line
	}
	return out.Bytes()
}

// formatFieldValue is the console writer's default, but for an empty
// string, which it would show as nothing at all after the `=`.
func formatFieldValue(v any) string {
	if s, ok := v.(string); ok && s == "" {
		return `""`
	}
	return fmt.Sprintf("%s", v)
}
