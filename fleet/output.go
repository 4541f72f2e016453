package fleet

import (
	"bytes"
	"strings"
)

// maxLine caps one line of output; a process that writes megabytes without
// a newline must not grow the supervisor's memory.
const maxLine = 64 << 10

// truncated marks a line cut at maxLine.
const truncated = " …[truncated]"

// lineWriter hands a process's output to the Logger one line at a time.
// os/exec calls Write from one goroutine per stream.
type lineWriter struct {
	process, stream string
	log             Logger
	buf             []byte
	skipping        bool // the rest of a line already cut at maxLine
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line, rest, complete := bytes.Cut(p, []byte{'\n'})
		w.add(line)
		if !complete {
			break
		}
		if !w.skipping {
			w.emit("")
		}
		w.skipping = false
		p = rest
	}
	return n, nil
}

func (w *lineWriter) add(b []byte) {
	if w.skipping {
		return
	}
	if room := maxLine - len(w.buf); len(b) > room {
		w.buf = append(w.buf, b[:room]...)
		w.emit(truncated)
		w.skipping = true
		return
	}
	w.buf = append(w.buf, b...)
}

func (w *lineWriter) emit(suffix string) {
	line := strings.TrimSuffix(string(w.buf), "\r") + suffix
	w.buf = w.buf[:0]
	w.log.Output(w.process, w.stream, line)
}

// flush hands over a last line that had no newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit("")
	}
}
