package pipeline

// ResponseWriter is how a stage answers: edit Header, write the status
// with WriteHeader, then the body with Write. The engine frames the body
// itself (Content-Length when the header has one, chunked or close
// otherwise), so a stage never writes Transfer-Encoding. A stage that
// changes the answer on its way back (compression) wraps the writer it was
// given and puts its own in x.Response for the stages after it.
type ResponseWriter interface {
	// Header is the response header list, to edit before WriteHeader.
	Header() *Header
	// WriteHeader sends the head with the status. A 1xx status sends an
	// interim head at once (its fields are then cleared); the final one
	// follows. Only the first final status counts.
	WriteHeader(status int)
	// Write sends body bytes, and a 200 head first if none was sent.
	Write(p []byte) (int, error)
	// Flush sends what is buffered to the client now (server-sent events).
	Flush() error
	// Status is the final status written, 0 until then.
	Status() int
	// Written counts the body bytes sent to the client so far, as the
	// access log records them: after the engine's framing is taken off,
	// and after compression, so not the ones a stage wrote. A body cut at
	// its Content-Length counts what went out.
	Written() int64
}

// TrailerWriter is a ResponseWriter that can send fields after the body
// (HTTP/2's, where gRPC puts its status). Fields added to Trailer before
// the exchange ends are sent once the body is complete: HTTP/2's always,
// HTTP/1.1's after a chunked body only (with a Content-Length they are
// dropped). Whether the client takes trailers (TE) is the stage's call.
type TrailerWriter interface {
	ResponseWriter
	// Trailer is the list sent after the body.
	Trailer() *Header
}
