package stages

import (
	"net/http"
	"strconv"
)

// plainAnswer is a short plain-text answer built once, so that writing it
// allocates nothing: the header values are shared, capacity-limited slices
// (an Add on them copies, it never writes into them) and the body is fixed.
type plainAnswer struct {
	status int
	body   []byte
	length []string
}

func newPlainAnswer(status int, text string) *plainAnswer {
	body := []byte(text + "\n")
	return &plainAnswer{status: status, body: body, length: []string{strconv.Itoa(len(body))}}
}

var (
	plainType = []string{"text/plain; charset=utf-8"}
	nosniff   = []string{"nosniff"}
)

func (a *plainAnswer) write(w ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = plainType[:1:1]
	h["X-Content-Type-Options"] = nosniff[:1:1]
	h["Content-Length"] = a.length[:1:1]
	w.WriteHeader(a.status)
	// A failed write means the client is gone; there is no one to tell.
	_, _ = w.Write(a.body)
}

// The answers the proxy makes itself. Bodies name the problem without the
// target's address: clients need not learn the fleet's layout; the error
// log has the details.
var (
	answerNoRoute    = newPlainAnswer(http.StatusNotFound, "404 not found: no route matches this request")
	answerBadGateway = newPlainAnswer(http.StatusBadGateway, "502 bad gateway: the target did not answer")
	answerTimeout    = newPlainAnswer(http.StatusGatewayTimeout, "504 gateway timeout: the target did not answer in time")
	answerUnanswered = newPlainAnswer(http.StatusInternalServerError, "500 internal error: no stage answered this request")
)

// statusClientClosed is what the observer sees for a request whose client
// went away before the answer (nginx's 499); nothing is written.
const statusClientClosed = 499
