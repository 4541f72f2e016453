package telemetry

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

func (l *Log) appendJSONEvent(b []byte, level, msg string, kv []any) []byte {
	b = l.appendJSONHead(b)
	b = appendJSONField(b, "level", level)
	b = appendJSONField(b, "message", msg)
	pairs(kv, func(k string, v any) {
		// A second "time" or "message" would overwrite the first in most
		// readers; logrus's prefix keeps both.
		switch k {
		case "time", "level", "message":
			k = "fields." + k
		}
		b = append(b, ',')
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONValue(b, v)
	})
	return append(b, '}')
}

func appendJSONField(b []byte, key, value string) []byte {
	b = append(b, ',')
	b = appendJSONString(b, key)
	b = append(b, ':')
	return appendJSONString(b, value)
}

// appendJSONValue keeps the usual number types, booleans and nil as JSON's
// own, so that collectors can compare and sum them; anything else is a
// string, as fmt prints it.
func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case int32:
		return strconv.AppendInt(b, int64(v), 10)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case uint:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(b, v, 10)
	case float64:
		// JSON has no NaN or infinities; those fall through to a string.
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return appendJSONString(b, fmt.Sprint(v))
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, and each byte of invalid UTF-8 replaced by
// U+FFFD as encoding/json does, since a JSON text must be valid UTF-8 and a
// process can write anything.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
