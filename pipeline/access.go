package pipeline

import "time"

// AccessLogger records each finished request, once its answer is
// complete: the access log. It is called on the request's goroutine, so it
// must not allocate nor block for long, and must be safe for concurrent
// use. status is the final status (StatusClientClosed when no answer
// began), d the time from the lookup to the answer's end, upstream the
// route's target as `kind name` ("" when no route matched).
type AccessLogger interface {
	Access(x *Exchange, status int, d time.Duration, upstream string)
}
