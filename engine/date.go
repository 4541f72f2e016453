package engine

import (
	"net/http"
	"sync/atomic"
	"time"
)

// dateLine is the Date field for one second, formatted once for every
// response of that second.
type dateLine struct {
	sec  int64
	line []byte // "Date: Sun, 06 Dec 2026 12:00:00 GMT\r\n"
}

var currentDate atomic.Pointer[dateLine]

// appendDate appends the Date field line of now.
func appendDate(dst []byte) []byte {
	now := time.Now()
	d := currentDate.Load()
	if d == nil || d.sec != now.Unix() {
		line := append([]byte("Date: "), now.UTC().Format(http.TimeFormat)...)
		d = &dateLine{sec: now.Unix(), line: append(line, "\r\n"...)}
		currentDate.Store(d)
	}
	return append(dst, d.line...)
}
