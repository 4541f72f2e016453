package telemetry

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/useragent"
)

var _ pipeline.AccessLogger = (*AccessLog)(nil)

// AccessLog writes one line per finished request: a JSON object through
// zerolog, or a line for people. Lines gather in a buffer written out in
// batches (see lineBuffer), so that a request costs no write and no
// allocation; Close writes what is left.
type AccessLog struct {
	text bool
	buf  *lineBuffer
	zl   zerolog.Logger // JSON lines into buf
}

// NewAccessLog returns an access log writing to w, JSON lines unless text.
func NewAccessLog(w io.Writer, text bool) *AccessLog {
	buf := newLineBuffer(w)
	return &AccessLog{text: text, buf: buf, zl: zerolog.New(buf).With().Timestamp().Logger()}
}

// Close writes the lines still waiting; later lines go out at once.
func (a *AccessLog) Close() { a.buf.Close() }

// Access implements pipeline.AccessLogger.
func (a *AccessLog) Access(x *pipeline.Exchange, status int, d time.Duration, upstream string) {
	if a.text {
		a.buf.mu.Lock()
		a.buf.buf = appendAccessText(a.buf.buf, x, status, d, upstream)
		a.buf.flushIfFull()
		a.buf.mu.Unlock()
		return
	}
	var client [64]byte
	e := a.zl.Log().
		Str("method", x.Method).
		Str("host", x.Host).
		Str("path", targetPath(x)).
		Int("status", status).
		Int64("bytes", x.Response.Written()).
		Float64("duration_ms", durationMs(d))
	if upstream != "" {
		e = e.Str("upstream", upstream)
	}
	if x.Client.IsValid() {
		e = e.Bytes("client", x.Client.AppendTo(client[:0]))
	}
	e.Str("ua", useragent.Classify(x.UserAgent).String()).
		Bytes("ja4h", x.JA4H()).
		Bytes("request_id", x.RequestID()).
		Send()
}

// appendAccessText appends the line for people:
//
//	GET app.test /ping 200 13B 0.412ms ship web client=127.0.0.1 ua=chromium ja4h=ge11… id=7f3a…
func appendAccessText(b []byte, x *pipeline.Exchange, status int, d time.Duration, upstream string) []byte {
	b = appendSafe(b, x.Method)
	b = append(b, ' ')
	b = appendSafe(b, x.Host)
	b = append(b, ' ')
	b = appendSafe(b, targetPath(x))
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, x.Response.Written(), 10)
	b = append(b, "B "...)
	b = strconv.AppendFloat(b, durationMs(d), 'f', -1, 64)
	b = append(b, "ms "...)
	if upstream == "" {
		upstream = "-"
	}
	b = append(b, upstream...)
	b = append(b, " client="...)
	if x.Client.IsValid() {
		b = x.Client.AppendTo(b)
	} else {
		b = append(b, '-')
	}
	b = append(b, " ua="...)
	b = append(b, useragent.Classify(x.UserAgent).String()...)
	b = append(b, " ja4h="...)
	b = append(b, x.JA4H()...)
	b = append(b, " id="...)
	b = append(b, x.RequestID()...)
	return append(b, '\n')
}

// targetPath is the path as the client sent it: the request target
// without its query, which often carries tokens that a log should not
// keep. Stages may rewrite Path; the target stays what was asked.
func targetPath(x *pipeline.Exchange) string {
	if i := strings.IndexByte(x.Target, '?'); i >= 0 {
		return x.Target[:i]
	}
	return x.Target
}

// durationMs is d in milliseconds, to the microsecond.
func durationMs(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// appendSafe appends s, quoted when it holds a space, a quote or a byte
// that is not printable ASCII, so that a field of the line cannot forge
// another field or a line of its own.
func appendSafe(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' {
			return strconv.AppendQuote(b, s)
		}
	}
	if s == "" {
		return append(b, '-')
	}
	return append(b, s...)
}
