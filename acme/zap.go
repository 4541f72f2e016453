package acme

import (
	"slices"
	"sort"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// EventFunc is where log events go: the mothership's log (telemetry.Log.Event).
type EventFunc func(level, msg string, kv ...any)

// eventCore is a zapcore.Core that hands each entry to an EventFunc, so
// that certmagic's logs are the mothership's, in its format and with its
// debug switch.
type eventCore struct {
	log    EventFunc
	fields []any // key, value pairs of With
}

// zapLogger returns a zap logger writing to log; nil log discards.
func zapLogger(log EventFunc) *zap.Logger {
	if log == nil {
		return zap.NewNop()
	}
	return zap.New(&eventCore{log: log})
}

func (c *eventCore) Enabled(zapcore.Level) bool { return true }

func (c *eventCore) With(fs []zapcore.Field) zapcore.Core {
	return &eventCore{log: c.log, fields: append(slices.Clip(c.fields), pairsOf(fs)...)}
}

func (c *eventCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}

func (c *eventCore) Write(e zapcore.Entry, fs []zapcore.Field) error {
	level := "info"
	switch {
	case e.Level <= zapcore.DebugLevel:
		level = "debug"
	case e.Level == zapcore.WarnLevel:
		level = "warn"
	case e.Level >= zapcore.ErrorLevel:
		level = "error"
	}
	c.log(level, "acme: "+e.Message, append(slices.Clip(c.fields), pairsOf(fs)...)...)
	return nil
}

func (c *eventCore) Sync() error { return nil }

// pairsOf flattens zap fields into key, value pairs, in key order.
func pairsOf(fs []zapcore.Field) []any {
	if len(fs) == 0 {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fs {
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		out = append(out, k, enc.Fields[k])
	}
	return out
}
