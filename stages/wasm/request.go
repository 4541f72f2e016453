package wasm

import (
	"strconv"
	"unicode/utf8"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/useragent"
)

// call is one call into a module: the exchange it is about, what the
// guest asked for, and the exchange's JSON once the guest read it. Calls
// are pooled with their buffers.
type call struct {
	mod    *module
	x      *pipeline.Exchange
	phase  phase
	w      pipeline.ResponseWriter // the writer under the stage, whose head the response phase edits
	status int                     // the response status, in the response phase

	blockStatus int // set_block's status; 0 for set_action(1)'s default

	json     []byte
	jsonDone bool

	action  uint32
	body    []byte
	headers []pipeline.Field
	err     error // the malformed host call that ended the guest

	// What an http-wasm call keeps (httpwasm.go).
	features    uint32 // enabled for this request
	guestStatus int    // set_status_code's
	scratch     []byte // NUL-terminated lists, the source address
	reqBody     []byte // the request body, buffered (buffer_request)
	reqRead     int
	reqBuffered bool
	reqOut      []byte // the request body the guest wrote
	reqWritten  bool
	respIn      []byte // the response body, buffered (buffer_response)
	respRead    int
	respOut     []byte // the response body the guest wrote
	respWritten bool
}

// callFailure is the panic a malformed host call ends the guest with.
type callFailure struct{ err error }

// fail ends the guest's call with err.
func (c *call) fail(err error) {
	c.err = err
	panic(callFailure{err})
}

// edited forgets the exchange's JSON after a change, so that a later read
// sees it.
func (c *call) edited() { c.jsonDone = false }

// responseHeader is the header list of the answer.
func (c *call) responseHeader() *pipeline.Header { return c.w.Header() }

// requestJSON is the exchange as the spec's JSON object, built on first
// use into the call's pooled buffer.
func (c *call) requestJSON() []byte {
	if c.jsonDone {
		return c.json
	}
	c.jsonDone = true
	x := c.x
	b := append(c.json[:0], '{')
	b = appendKey(b, "method", x.Method)
	b = appendKey(b, "path", x.Path)
	b = appendKey(b, "query", x.RawQuery)
	b = appendKey(b, "host", x.Host)
	b = appendKey(b, "scheme", x.Scheme)
	b = appendKey(b, "bind", x.Bind)
	if x.Client.IsValid() {
		b = append(b, `,"client_ip":"`...)
		b = x.Client.AppendTo(b)
		b = append(b, '"')
	}
	b = appendFields(b, "headers", &x.Header)
	b = appendKey(b, "ua_class", useragent.Classify(x.UserAgent).String())
	if fp := x.JA4H(); len(fp) > 0 {
		b = append(b, `,"ja4h":`...)
		b = appendString(b, fp)
	}
	if c.phase == phaseResponse {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(c.status), 10)
		b = appendFields(b, "response_headers", c.w.Header())
	}
	b = append(b, '}')
	if b[1] == ',' {
		b = append(b[:1], b[2:]...)
	}
	c.json = b
	return b
}

// appendKey appends `,"key":"value"` unless value is empty.
func appendKey(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendFields appends `,"key":[["Name","value"],…]` unless h is empty.
func appendFields(b []byte, key string, h *pipeline.Header) []byte {
	if h.Len() == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, f := range h.Fields() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendString(b, f.Name)
		b = append(b, ',')
		b = appendString(b, f.Value)
		b = append(b, ']')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; bytes that are not UTF-8
// become U+FFFD, as encoding/json makes them.
func appendString[T ~string | ~[]byte](b []byte, s T) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < ' ' || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
