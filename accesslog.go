package main

import (
	"fmt"
	"io"
	"os"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/telemetry"
)

// openAccessLog opens the access log that m asks for: to stdout, in the
// run's log format (the line for people with text, JSON with json), or
// to a file, always JSON, for collectors; none with access_log = false.
func (v *voyage) openAccessLog(m *manifest.Manifest) error {
	a := m.Mothership.AccessLog
	if a.Off {
		return nil
	}
	var w io.Writer = v.out
	text := v.textLog
	if p := m.AccessLogFile(); p != "" {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return fmt.Errorf("access_log (line %d): %w", a.Pos.Line, err)
		}
		w, text = f, false
		v.log.Info("access log", "file", p)
	}
	v.access = telemetry.NewAccessLog(w, text)
	return nil
}

// warnAccessLogChange says that a reload does not move the access log:
// it stays where the run opened it until the next start.
func (v *voyage) warnAccessLogChange(old, m *manifest.Manifest) {
	if o, n := old.Mothership.AccessLog, m.Mothership.AccessLog; o.Off != n.Off || old.AccessLogFile() != m.AccessLogFile() {
		v.log.Warn("reload: access_log changed; the access log stays as it is until the next start", "manifest", m.File, "line", n.Pos.Line)
	}
}

// closeAccessLog writes the access lines still waiting.
func (v *voyage) closeAccessLog() {
	if v.access != nil {
		v.access.Close()
	}
}
