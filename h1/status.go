package h1

import (
	"net/http"
	"strconv"
)

// statusLines are the status lines of the statuses net/http knows, made
// once: writing one costs a copy.
var statusLines = func() (lines [600][]byte) {
	for st := 100; st < len(lines); st++ {
		if text := http.StatusText(st); text != "" {
			lines[st] = []byte("HTTP/1.1 " + strconv.Itoa(st) + " " + text + "\r\n")
		}
	}
	return lines
}()

// AppendStatusLine appends the status line of status. It is always
// HTTP/1.1, the version a server answers with whatever the request's
// (RFC 9110 §2.5).
func AppendStatusLine(dst []byte, status int) []byte {
	if status >= 0 && status < len(statusLines) && statusLines[status] != nil {
		return append(dst, statusLines[status]...)
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(status), 10)
	return append(dst, " \r\n"...)
}
