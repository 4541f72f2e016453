package h1

// Error is a refused head or body: the status to answer with (400, 414,
// 431, 501, 505, 417 for requests; 502 for what an upstream sent) and a
// short reason naming what was wrong.
type Error struct {
	// Status is the HTTP status the refusal is answered with.
	Status int
	// Reason says what was wrong, for the answer's body and the log.
	Reason string
}

// Error returns the reason.
func (e *Error) Error() string { return e.Reason }

// Errors are made once: a refusal allocates nothing either.
var (
	errLineEnd      = &Error{400, "a line of the head does not end in CRLF"}
	errRequestLine  = &Error{400, "the request line is not: method SP target SP HTTP-version"}
	errMethod       = &Error{400, "the method is not a token"}
	errTarget       = &Error{400, "the request target has a character it may not have"}
	errEscape       = &Error{400, "the request path has a malformed percent escape"}
	errVersion      = &Error{400, "the HTTP version is malformed"}
	errMajor        = &Error{505, "only HTTP/1.x is served on this connection"}
	errFieldName    = &Error{400, "a field name is not a token directly followed by its colon"}
	errFieldValue   = &Error{400, "a field value holds a control character"}
	errObsFold      = &Error{400, "a field is folded over two lines (obs-fold)"}
	errNoHost       = &Error{400, "an HTTP/1.1 request needs a Host field"}
	errTwoHosts     = &Error{400, "the request has more than one Host"}
	errHost         = &Error{400, "the Host field is malformed"}
	errLength       = &Error{400, "Content-Length is not one number of digits"}
	errLengths      = &Error{400, "the Content-Length values differ"}
	errBothFraming  = &Error{400, "the request has both Content-Length and Transfer-Encoding"}
	errTE10         = &Error{400, "Transfer-Encoding in an HTTP/1.0 request"}
	errTENotChunked = &Error{400, "Transfer-Encoding does not end in one chunked"}
	errTEUnknown    = &Error{501, "a transfer coding other than chunked"}
	errExpect       = &Error{417, "the only expectation served is 100-continue"}
	errTooLongURI   = &Error{414, "the request target is too long"}
	errTooLarge     = &Error{431, "the request head is too large"}
	errTooMany      = &Error{431, "the request head has too many fields"}
	errChunkSize    = &Error{400, "a chunk size is not 1 to 16 hex digits"}
	errChunkExt     = &Error{400, "a chunk extension is malformed"}
	errChunkEnd     = &Error{400, "chunk data is longer than its size"}
	errTrailer      = &Error{400, "a trailer field is malformed"}

	errRespLine    = &Error{502, "the status line is malformed"}
	errRespField   = &Error{502, "a response field is malformed"}
	errRespFraming = &Error{502, "the response has both Content-Length and Transfer-Encoding"}
	errRespLength  = &Error{502, "the response's Content-Length is malformed"}
	errRespTE      = &Error{502, "the response's Transfer-Encoding does not end in chunked"}
	errRespTooBig  = &Error{502, "the response head is too large"}
)
