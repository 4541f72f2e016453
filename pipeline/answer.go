package pipeline

import (
	"net/http"
	"strconv"
)

// Answer is a short plain-text answer built once, so that writing it
// allocates nothing: its Content-Length is formatted once and its body is
// fixed.
type Answer struct {
	status int
	body   []byte
	length string
}

// NewAnswer returns the answer with status and text; a newline ends the
// body.
func NewAnswer(status int, text string) *Answer {
	body := []byte(text + "\n")
	return &Answer{status: status, body: body, length: strconv.Itoa(len(body))}
}

// Status is the answer's status.
func (a *Answer) Status() int { return a.status }

// Write sends the answer on w. A failed write means the client is gone;
// there is no one to tell.
func (a *Answer) Write(w ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", a.length)
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// The answers the proxy makes itself. Bodies name the problem without the
// target's address: clients need not learn the fleet's layout; the error
// log has the details.
var (
	AnswerNoRoute    = NewAnswer(http.StatusNotFound, "404 not found: no route matches this request")
	AnswerBadGateway = NewAnswer(http.StatusBadGateway, "502 bad gateway: the target did not answer")
	AnswerTimeout    = NewAnswer(http.StatusGatewayTimeout, "504 gateway timeout: the target did not answer in time")
	AnswerUnanswered = NewAnswer(http.StatusInternalServerError, "500 internal error: no stage answered this request")
	AnswerBadBody    = NewAnswer(http.StatusBadRequest, "400 bad request: the request body is malformed or was cut short")
	AnswerTooLarge   = NewAnswer(http.StatusRequestEntityTooLarge, "413 content too large: the request body is over this route's max_body_size")
)

// StatusClientClosed is what the observer sees for a request whose client
// went away before the answer (nginx's 499); nothing is written.
const StatusClientClosed = 499
