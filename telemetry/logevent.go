package telemetry

import (
	"fmt"
	"math"
	"time"

	"github.com/rs/zerolog"
)

// zerolog's formats are package-wide. This binary's logs stamp their
// lines in UTC with nanoseconds, so that lines of one second keep their
// order in a collector, and parse back with time.RFC3339Nano.
func init() {
	zerolog.TimeFieldFormat = time.RFC3339Nano
	zerolog.TimestampFunc = func() time.Time { return time.Now().UTC() }
}

// levels maps the fleet's level names to zerolog's.
var levels = map[string]zerolog.Level{
	"debug": zerolog.DebugLevel,
	"info":  zerolog.InfoLevel,
	"warn":  zerolog.WarnLevel,
	"error": zerolog.ErrorLevel,
}

// encodeEvent has zerolog encode the event into l.line and returns its
// keys in the caller's order, for the console rendering; l.mu is held.
func (l *Log) encodeEvent(level, msg string, kv []any) []string {
	e := l.zl.Log()
	if lv, ok := levels[level]; ok {
		e = l.zl.WithLevel(lv)
	} else {
		e = e.Str(zerolog.LevelFieldName, level)
	}
	keys := make([]string, 0, len(kv)/2+1)
	pairs(kv, func(k string, v any) {
		// A second "time" or "message" would overwrite the first in most
		// readers; logrus's prefix keeps both.
		switch k {
		case zerolog.TimestampFieldName, zerolog.LevelFieldName, zerolog.MessageFieldName:
			k = "fields." + k
		}
		keys = append(keys, k)
		e = appendValue(e, k, v)
	})
	e.Msg(msg)
	return keys
}

// appendValue keeps the usual number types, booleans and nil as JSON's
// own, so that collectors can compare and sum them; anything else is a
// string, as fmt prints it (a duration as "1.5s", not zerolog's
// milliseconds).
func appendValue(e *zerolog.Event, k string, v any) *zerolog.Event {
	switch v := v.(type) {
	case nil:
		return e.Interface(k, nil)
	case string:
		return e.Str(k, v)
	case bool:
		return e.Bool(k, v)
	case int:
		return e.Int(k, v)
	case int32:
		return e.Int32(k, v)
	case int64:
		return e.Int64(k, v)
	case uint:
		return e.Uint(k, v)
	case uint32:
		return e.Uint32(k, v)
	case uint64:
		return e.Uint64(k, v)
	case float64:
		// JSON has no NaN or infinities; those fall through to a string.
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return e.Float64(k, v)
		}
	}
	return e.Str(k, fmt.Sprint(v))
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
