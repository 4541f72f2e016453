package wasm

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/tetratelabs/wazero/api"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// The host side of the http-wasm HTTP handler ABI (http-wasm.io,
// "http-handler-abi"), under the import module http_handler. Functions
// that read a field write it only when it fits buf_limit and return its
// length either way; lists are NUL-terminated, with count<<32|len.

// Features of enable_features: request and response buffering; trailers
// are not supported (this host reports and keeps none).
const (
	featureBufferRequest  = 1
	featureBufferResponse = 2
	featuresSupported     = featureBufferRequest | featureBufferResponse
)

// Header and body kinds.
const (
	kindRequest  = 0
	kindResponse = 1
)

// maxBufferedBody bounds a body buffered for a guest (buffer_request,
// buffer_response): what does not fit fails the call.
const maxBufferedBody = 8 << 20

// errBodyTooLarge is what the target's writes get past maxBufferedBody
// of a held answer.
var errBodyTooLarge = fmt.Errorf("the answer is over the %d bytes a module may hold", maxBufferedBody)

var (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

// httpWasmABI is the ABI's table.
var httpWasmABI = &abi{
	imports: []string{"http_handler"},
	funcs: []hostFunc{
		{name: "log", params: []api.ValueType{i32, i32, i32}, fn: hwLog, anytime: true},
		{name: "log_enabled", params: []api.ValueType{i32}, results: []api.ValueType{i32}, fn: hwLogEnabled, anytime: true},
		{name: "get_config", params: []api.ValueType{i32, i32}, results: []api.ValueType{i32}, fn: hwGetConfig, anytime: true},
		{name: "enable_features", params: []api.ValueType{i32}, results: []api.ValueType{i32}, fn: hwEnableFeatures, anytime: true},
		{name: "get_header_names", params: []api.ValueType{i32, i32, i32}, results: []api.ValueType{i64}, fn: hwGetHeaderNames},
		{name: "get_header_values", params: []api.ValueType{i32, i32, i32, i32, i32}, results: []api.ValueType{i64}, fn: hwGetHeaderValues},
		{name: "set_header_value", params: []api.ValueType{i32, i32, i32, i32, i32}, fn: hwSetHeaderValue},
		{name: "add_header_value", params: []api.ValueType{i32, i32, i32, i32, i32}, fn: hwAddHeaderValue},
		{name: "remove_header", params: []api.ValueType{i32, i32, i32}, fn: hwRemoveHeader},
		{name: "read_body", params: []api.ValueType{i32, i32, i32}, results: []api.ValueType{i64}, fn: hwReadBody},
		{name: "write_body", params: []api.ValueType{i32, i32, i32}, fn: hwWriteBody},
		{name: "get_method", params: []api.ValueType{i32, i32}, results: []api.ValueType{i32}, fn: hwGetMethod},
		{name: "set_method", params: []api.ValueType{i32, i32}, fn: hwSetMethod},
		{name: "get_uri", params: []api.ValueType{i32, i32}, results: []api.ValueType{i32}, fn: hwGetURI},
		{name: "set_uri", params: []api.ValueType{i32, i32}, fn: hwSetURI},
		{name: "get_protocol_version", params: []api.ValueType{i32, i32}, results: []api.ValueType{i32}, fn: hwGetProtocolVersion},
		{name: "get_source_addr", params: []api.ValueType{i32, i32}, results: []api.ValueType{i32}, fn: hwGetSourceAddr},
		{name: "get_status_code", results: []api.ValueType{i32}, fn: hwGetStatusCode},
		{name: "set_status_code", params: []api.ValueType{i32}, fn: hwSetStatusCode},
	},
}

// httpWasmExports are the guest's lifecycle functions.
var httpWasmExports = []export{
	{name: "handle_request", results: []api.ValueType{i64}},
	{name: "handle_response", params: []api.ValueType{i32, i32}},
}

// writeIfFits writes b at buf when it fits limit and returns its length.
func writeIfFits[T ~string | ~[]byte](c *call, mem api.Memory, buf, limit uint64, b T) uint32 {
	n := uint32(len(b))
	if n == 0 || n > api.DecodeU32(limit) {
		return n
	}
	var ok bool
	switch v := any(b).(type) {
	case string:
		ok = mem.WriteString(api.DecodeU32(buf), v)
	default:
		ok = mem.Write(api.DecodeU32(buf), []byte(b))
	}
	if !ok {
		c.fail(fmt.Errorf("asked for %d bytes at %d, outside its memory", n, api.DecodeU32(buf)))
	}
	return n
}

// guestBytes reads the guest's bytes at ptr, n long, failing the call (or
// trapping outside one) when they are out of range.
func guestBytes(in *instance, mem api.Memory, ptr, n uint64) []byte {
	b, ok := mem.Read(api.DecodeU32(ptr), api.DecodeU32(n))
	if !ok {
		err := fmt.Errorf("passed %d bytes at %d, outside its memory", api.DecodeU32(n), api.DecodeU32(ptr))
		if in.call != nil {
			in.call.fail(err)
		}
		panic(err)
	}
	return b
}

func hwLog(in *instance, mem api.Memory, stack []uint64) {
	msg := string(guestBytes(in, mem, stack[1], stack[2]))
	switch int32(api.DecodeI32(stack[0])) {
	case -1:
		in.mod.logDebug(msg)
	case 0:
		in.mod.logEvent("info", msg)
	case 1:
		in.mod.logEvent("warn", msg)
	case 2:
		in.mod.logEvent("error", msg)
	}
}

func hwLogEnabled(in *instance, _ api.Memory, stack []uint64) {
	level := api.DecodeI32(stack[0])
	on := level >= 0 && level <= 2 || level == -1 && in.mod.logs.Debug != nil
	stack[0] = 0
	if on {
		stack[0] = 1
	}
}

func hwGetConfig(in *instance, mem api.Memory, stack []uint64) {
	cfg := in.mod.config
	if n := uint32(len(cfg)); n <= api.DecodeU32(stack[1]) && !mem.Write(api.DecodeU32(stack[0]), cfg) {
		if in.call != nil {
			in.call.fail(fmt.Errorf("get_config: %d bytes at %d are outside its memory", n, api.DecodeU32(stack[0])))
		}
		panic("get_config: outside the guest's memory")
	}
	stack[0] = api.EncodeU32(uint32(len(cfg)))
}

func hwEnableFeatures(in *instance, _ api.Memory, stack []uint64) {
	f := api.DecodeU32(stack[0]) & featuresSupported
	if in.call != nil {
		in.call.features |= f
	} else {
		in.features |= f // while it starts: every request of this instance
	}
	stack[0] = api.EncodeU32(featuresSupported)
}

// header is the list of a header kind; trailers have none here.
func (c *call) header(kind uint32, fn string) *pipeline.Header {
	switch kind {
	case kindRequest:
		return &c.x.Header
	case kindResponse:
		return c.w.Header()
	}
	c.fail(fmt.Errorf("%s(kind %d): this host supports no trailers", fn, kind))
	return nil
}

func hwGetHeaderNames(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	kind := api.DecodeU32(stack[0])
	if kind > kindResponse {
		stack[0] = 0 // no trailers
		return
	}
	fields := c.header(kind, "get_header_names").Fields()
	b, count := c.scratch[:0], uint64(0)
	for i, f := range fields {
		if seenBefore(fields[:i], f.Name) {
			continue
		}
		for j := 0; j < len(f.Name); j++ {
			b = append(b, lower(f.Name[j]))
		}
		b = append(b, 0)
		count++
	}
	c.scratch = b
	stack[0] = count<<32 | uint64(writeIfFits(c, mem, stack[1], stack[2], b))
}

func seenBefore(fields []pipeline.Field, name string) bool {
	for _, f := range fields {
		if httpsyntax.EqualFoldBoth(f.Name, name) {
			return true
		}
	}
	return false
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func hwGetHeaderValues(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	kind := api.DecodeU32(stack[0])
	name := guestBytes(in, mem, stack[1], stack[2])
	if kind > kindResponse {
		stack[0] = 0
		return
	}
	h := c.header(kind, "get_header_values")
	b, count := c.scratch[:0], uint64(0)
	for _, f := range h.Fields() {
		if len(f.Name) == len(name) && httpsyntax.EqualFoldBoth(f.Name, string(name)) {
			b = append(append(b, f.Value...), 0)
			count++
		}
	}
	c.scratch = b
	stack[0] = count<<32 | uint64(writeIfFits(c, mem, stack[3], stack[4], b))
}

// editable returns the header list a set, add or remove may change, and
// the field's name.
func (c *call) editable(in *instance, mem api.Memory, stack []uint64, fn string) (*pipeline.Header, string) {
	kind := api.DecodeU32(stack[0])
	h := c.header(kind, fn)
	if kind == kindRequest && c.phase == phaseResponse {
		c.fail(fmt.Errorf("%s on the request in handle_response: the request has gone to the target already", fn))
	}
	name := guestBytes(in, mem, stack[1], stack[2])
	if !httpsyntax.IsToken(name) {
		c.fail(fmt.Errorf("%s(%q): a header name is an HTTP token", fn, name))
	}
	if httpsyntax.EqualFold(name, "content-length") || httpsyntax.EqualFold(name, "transfer-encoding") {
		c.fail(fmt.Errorf("%s(%q): the message framing is the proxy's", fn, name))
	}
	return h, string(name)
}

// value reads a header value at stack[3:5].
func (c *call) value(in *instance, mem api.Memory, stack []uint64, fn, name string) string {
	v := guestBytes(in, mem, stack[3], stack[4])
	if !httpsyntax.IsFieldValue(v) {
		c.fail(fmt.Errorf("%s(%q): the value holds a control character (CR, LF, NUL)", fn, name))
	}
	return string(v)
}

func hwSetHeaderValue(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	h, name := c.editable(in, mem, stack, "set_header_value")
	v := c.value(in, mem, stack, "set_header_value", name)
	if h == &c.x.Header && httpsyntax.EqualFold(name, "host") {
		c.x.Host = v
	}
	h.Set(name, v)
}

func hwAddHeaderValue(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	h, name := c.editable(in, mem, stack, "add_header_value")
	h.Add(name, c.value(in, mem, stack, "add_header_value", name))
}

func hwRemoveHeader(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	h, name := c.editable(in, mem, stack, "remove_header")
	if h == &c.x.Header && httpsyntax.EqualFold(name, "host") {
		c.fail(fmt.Errorf("remove_header(%q): a request keeps its Host", name))
	}
	h.Del(name)
}

func hwReadBody(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	kind, limit := api.DecodeU32(stack[0]), api.DecodeU32(stack[2])
	if limit == 0 {
		c.fail(fmt.Errorf("read_body with a zero buf_limit"))
	}
	buf, ok := mem.Read(api.DecodeU32(stack[1]), limit)
	if !ok {
		c.fail(fmt.Errorf("read_body: %d bytes at %d are outside its memory", limit, api.DecodeU32(stack[1])))
	}
	var n int
	var eof bool
	switch {
	case kind == kindRequest && c.phase == phaseRequest:
		n, eof = c.readRequestBody(buf)
	case kind == kindResponse && c.phase == phaseResponse:
		n = copy(buf, c.respIn[c.respRead:])
		c.respRead += n
		eof = c.respRead == len(c.respIn)
	default:
		eof = true // a body this phase does not have
	}
	stack[0] = uint64(api.EncodeU32(uint32(n)))
	if eof {
		stack[0] |= 1 << 32
	}
}

// readRequestBody reads the request body for read_body: from a buffer
// the target then gets whole when buffer_request is on, else from the
// stream (what the guest reads, the target does not).
func (c *call) readRequestBody(buf []byte) (int, bool) {
	if c.features&featureBufferRequest == 0 && !c.reqBuffered {
		n, err := io.ReadFull(c.x.Body, buf)
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			c.fail(fmt.Errorf("read_body: %w", err))
		}
		return n, err != nil
	}
	if !c.reqBuffered {
		body, err := io.ReadAll(io.LimitReader(c.x.Body, maxBufferedBody+1))
		if err != nil || len(body) > maxBufferedBody {
			c.fail(fmt.Errorf("read_body: buffering the request body: %d bytes at most (%v)", maxBufferedBody, err))
		}
		c.reqBody, c.reqBuffered = body, true
		c.x.Body = bytes.NewReader(body)
	}
	n := copy(buf, c.reqBody[c.reqRead:])
	c.reqRead += n
	return n, c.reqRead == len(c.reqBody)
}

func hwWriteBody(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	b := guestBytes(in, mem, stack[1], stack[2])
	switch api.DecodeU32(stack[0]) {
	case kindRequest:
		if c.phase == phaseResponse {
			c.fail(fmt.Errorf("write_body on the request in handle_response: the request has gone already"))
		}
		if !c.reqWritten {
			c.reqWritten, c.reqOut = true, c.reqOut[:0]
		}
		c.reqOut = append(c.reqOut, b...)
	case kindResponse:
		if !c.respWritten {
			c.respWritten, c.respOut = true, c.respOut[:0]
		}
		c.respOut = append(c.respOut, b...)
	default:
		c.fail(fmt.Errorf("write_body(kind %d): want 0 (request) or 1 (response)", api.DecodeU32(stack[0])))
	}
}

// finishRequestBody hands the target the body the guest wrote, once
// handle_request returned.
func (c *call) finishRequestBody() {
	if c.reqWritten {
		c.x.Body = bytes.NewReader(c.reqOut)
		c.x.ContentLength = int64(len(c.reqOut))
	}
}

func hwGetMethod(in *instance, mem api.Memory, stack []uint64) {
	stack[0] = api.EncodeU32(writeIfFits(in.call, mem, stack[0], stack[1], in.call.x.Method))
}

func hwSetMethod(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	m := guestBytes(in, mem, stack[0], stack[1])
	if !httpsyntax.IsToken(m) || c.phase == phaseResponse {
		c.fail(fmt.Errorf("set_method(%q): want a token, in handle_request", m))
	}
	c.x.Method = string(m)
}

func hwGetURI(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	uri := c.x.Target
	if uri == "" || uri == "*" {
		uri = "/"
	}
	stack[0] = api.EncodeU32(writeIfFits(c, mem, stack[0], stack[1], uri))
}

func hwSetURI(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	uri := string(guestBytes(in, mem, stack[0], stack[1]))
	raw, query, _ := strings.Cut(uri, "?")
	path, err := url.PathUnescape(raw)
	if c.phase == phaseResponse || !strings.HasPrefix(uri, "/") || !httpsyntax.IsFieldValue(uri) || strings.ContainsAny(uri, " #") || err != nil {
		c.fail(fmt.Errorf("set_uri(%q): want an escaped origin-form URI (/path?query), in handle_request", uri))
	}
	x := c.x
	x.Target, x.RawPath, x.RawQuery, x.Path = uri, raw, query, path
}

func hwGetProtocolVersion(in *instance, mem api.Memory, stack []uint64) {
	stack[0] = api.EncodeU32(writeIfFits(in.call, mem, stack[0], stack[1], in.call.x.Proto))
}

func hwGetSourceAddr(in *instance, mem api.Memory, stack []uint64) {
	c := in.call
	b := c.scratch[:0]
	if c.x.Peer.IsValid() {
		b = c.x.Peer.AppendTo(b)
	}
	c.scratch = b
	stack[0] = api.EncodeU32(writeIfFits(c, mem, stack[0], stack[1], b))
}

func hwGetStatusCode(in *instance, _ api.Memory, stack []uint64) {
	c := in.call
	s := c.status
	if c.guestStatus != 0 {
		s = c.guestStatus
	}
	if s == 0 {
		s = 200
	}
	stack[0] = api.EncodeU32(uint32(s))
}

func hwSetStatusCode(in *instance, _ api.Memory, stack []uint64) {
	c := in.call
	s := api.DecodeU32(stack[0])
	if s < 200 || s > 599 {
		c.fail(fmt.Errorf("set_status_code(%d): want a final status, 200 to 599", s))
	}
	c.guestStatus = int(s)
}
