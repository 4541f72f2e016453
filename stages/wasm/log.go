package wasm

import (
	"bytes"
	"strings"
)

// maxLine is the longest guest output line kept whole; a longer one is
// logged in pieces.
const maxLine = 4096

// logEvent logs a line of the module's at level, prefixed with its name.
func (mod *module) logEvent(level, msg string) {
	switch {
	case mod.logs.Events != nil:
		mod.logs.Events(level, mod.name+": "+msg, "module", mod.name)
	case mod.logs.ErrorLog != nil && level != "info":
		mod.logs.ErrorLog.Printf("module %s: %s", mod.name, msg)
	}
}

// logDebug logs a guest's debug line when debug logging is on.
func (mod *module) logDebug(msg string) {
	if mod.logs.Debug != nil {
		mod.logs.Debug(mod.name+": "+msg, "module", mod.name)
	}
}

// logError logs a failed call: its first line (wazero adds the guest's
// stack trace after it).
func (mod *module) logError(err error) {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	mod.logEvent("error", "call failed: "+msg)
}

// lineWriter turns a guest's stdout or stderr into log lines.
type lineWriter struct {
	mod    *module
	stream string
	buf    []byte
}

func (mod *module) lineWriter(stream string) *lineWriter {
	return &lineWriter{mod: mod, stream: stream}
}

// Write logs every whole line of p and keeps the rest for the next write.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) >= maxLine {
				w.emit(w.buf)
				w.buf = w.buf[:0]
			}
			return len(p), nil
		}
		w.emit(w.buf[:i])
		w.buf = w.buf[:copy(w.buf, w.buf[i+1:])]
	}
}

// flush logs what is left without a newline.
func (w *lineWriter) flush() {
	if len(w.buf) > 0 {
		w.emit(w.buf)
		w.buf = w.buf[:0]
	}
}

func (w *lineWriter) emit(line []byte) {
	level := "info"
	if w.stream == "stderr" {
		level = "warn"
	}
	w.mod.logEvent(level, string(bytes.TrimRight(line, "\r")))
}
