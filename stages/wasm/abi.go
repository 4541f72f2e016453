package wasm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/tetratelabs/wazero/api"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// The host functions of the mothership ABI, as the spec's table says.
// Each reads its i32 parameters from stack and writes its result there; a
// malformed call (memory out of range, a bad header, a bad status) fails
// the call, which ends the guest.

// mothershipABI is the table, under the import modules mothership and
// env, so that guests built against either name load.
var mothershipABI = &abi{
	imports: []string{"mothership", "env"},
	funcs: []hostFunc{
		mothershipFunc("get_request", 0, 1, getRequest, false),
		mothershipFunc("read_request", 2, 1, readRequest, false),
		mothershipFunc("set_action", 1, 0, setAction, false),
		mothershipFunc("set_block", 3, 0, setBlock, false),
		mothershipFunc("set_block_with_headers", 5, 0, setBlockWithHeaders, false),
		anytimeFunc("log", 3, 0, logCall),
		anytimeFunc("get_config", 2, 1, getConfig),
		mothershipFunc("set_path", 2, 0, setPath, true),
		mothershipFunc("set_request_header", 4, 0, setRequestHeader, true),
		mothershipFunc("remove_request_header", 2, 0, removeRequestHeader, true),
		mothershipFunc("set_response_header", 4, 0, setResponseHeader, false),
		mothershipFunc("remove_response_header", 2, 0, removeResponseHeader, false),
	},
}

// anytimeFunc makes a host function of i32s that a guest may also call in
// its _initialize (read its config, log), outside any request.
func anytimeFunc(name string, params, results int, fn func(c *call, mem api.Memory, stack []uint64)) hostFunc {
	return hostFunc{name: name, params: i32s(params), results: i32s(results), anytime: true, fn: func(in *instance, mem api.Memory, stack []uint64) {
		c := in.call
		if c == nil {
			c = &call{mod: in.mod} // once per instance at most: _initialize
		}
		fn(c, mem, stack)
	}}
}

// mothershipFunc makes a host function of i32s that runs on the call in
// progress; a request-only one fails in the response phase.
func mothershipFunc(name string, params, results int, fn func(c *call, mem api.Memory, stack []uint64), requestOnly bool) hostFunc {
	return hostFunc{name: name, params: i32s(params), results: i32s(results), fn: func(in *instance, mem api.Memory, stack []uint64) {
		c := in.call
		if requestOnly && c.phase == phaseResponse {
			c.fail(fmt.Errorf("%s in the response phase: the request has gone to the target already", name))
		}
		fn(c, mem, stack)
	}}
}

// Actions of set_action.
const (
	actionContinue = 0
	actionBlock    = 1
)

// Levels of log.
const (
	levelDebug = 0
	levelWarn  = 1
	levelInfo  = 2
)

func getRequest(c *call, _ api.Memory, stack []uint64) {
	stack[0] = api.EncodeU32(uint32(len(c.requestJSON())))
}

func readRequest(c *call, mem api.Memory, stack []uint64) {
	stack[0] = api.EncodeU32(c.copyOut(mem, stack[0], stack[1], c.requestJSON()))
}

func getConfig(c *call, mem api.Memory, stack []uint64) {
	c.copyOut(mem, stack[0], stack[1], c.mod.config)
	stack[0] = api.EncodeU32(uint32(len(c.mod.config)))
}

func setAction(c *call, _ api.Memory, stack []uint64) {
	switch a := api.DecodeU32(stack[0]); a {
	case actionContinue, actionBlock:
		c.action = a
	default:
		c.fail(fmt.Errorf("set_action(%d): want 0 (Continue) or 1 (Block)", a))
	}
}

func setBlock(c *call, mem api.Memory, stack []uint64) {
	c.block(mem, stack[0], stack[1], stack[2])
}

func setBlockWithHeaders(c *call, mem api.Memory, stack []uint64) {
	c.block(mem, stack[0], stack[1], stack[2])
	raw := c.read(mem, stack[3], stack[4])
	if err := c.blockHeaders(raw); err != nil {
		c.fail(fmt.Errorf("set_block_with_headers: %w", err))
	}
}

func logCall(c *call, mem api.Memory, stack []uint64) {
	msg := string(c.read(mem, stack[1], stack[2]))
	switch api.DecodeU32(stack[0]) {
	case levelDebug:
		c.mod.logDebug(msg)
	case levelWarn:
		c.mod.logEvent("warn", msg)
	default:
		c.mod.logEvent("info", msg)
	}
}

func setPath(c *call, mem api.Memory, stack []uint64) {
	p := c.read(mem, stack[0], stack[1])
	if len(p) == 0 || p[0] != '/' || !httpsyntax.IsFieldValue(p) {
		c.fail(fmt.Errorf("set_path(%q): want a path that starts with / and holds no control characters", p))
	}
	x := c.x
	x.Path = string(p)
	x.RawPath = (&url.URL{Path: x.Path}).EscapedPath()
	x.Target = x.RawPath
	if x.RawQuery != "" {
		x.Target += "?" + x.RawQuery
	}
	c.edited()
}

func setRequestHeader(c *call, mem api.Memory, stack []uint64) {
	name, value := c.field(mem, stack, "set_request_header")
	if httpsyntax.EqualFold(name, "host") {
		c.x.Host = value
	}
	c.x.Header.Set(name, value)
	c.edited()
}

func removeRequestHeader(c *call, mem api.Memory, stack []uint64) {
	name := c.fieldName(mem, stack, "remove_request_header")
	if httpsyntax.EqualFold(name, "host") {
		c.fail(fmt.Errorf("remove_request_header(%q): a request keeps its Host", name))
	}
	c.x.Header.Del(name)
	c.edited()
}

func setResponseHeader(c *call, mem api.Memory, stack []uint64) {
	name, value := c.field(mem, stack, "set_response_header")
	c.responseHeader().Set(name, value)
	c.edited()
}

func removeResponseHeader(c *call, mem api.Memory, stack []uint64) {
	c.responseHeader().Del(c.fieldName(mem, stack, "remove_response_header"))
	c.edited()
}

// read returns the guest's bytes at ptr, n long; they are the guest's
// memory, valid until it runs again.
func (c *call) read(mem api.Memory, ptr, n uint64) []byte {
	b, ok := mem.Read(api.DecodeU32(ptr), api.DecodeU32(n))
	if !ok {
		c.fail(fmt.Errorf("passed %d bytes at %d, outside its memory", api.DecodeU32(n), api.DecodeU32(ptr)))
	}
	return b
}

// copyOut copies at most n bytes of src to the guest at ptr and returns
// how many it copied.
func (c *call) copyOut(mem api.Memory, ptr, n uint64, src []byte) uint32 {
	k := min(uint32(len(src)), api.DecodeU32(n))
	if k > 0 && !mem.Write(api.DecodeU32(ptr), src[:k]) {
		c.fail(fmt.Errorf("asked for %d bytes at %d, outside its memory", k, api.DecodeU32(ptr)))
	}
	return k
}

// fieldName reads a header name at stack[0:2]: an HTTP token the proxy
// does not own.
func (c *call) fieldName(mem api.Memory, stack []uint64, fn string) string {
	name := c.read(mem, stack[0], stack[1])
	if !httpsyntax.IsToken(name) {
		c.fail(fmt.Errorf("%s(%q): a header name is an HTTP token", fn, name))
	}
	if httpsyntax.EqualFold(name, "content-length") || httpsyntax.EqualFold(name, "transfer-encoding") {
		c.fail(fmt.Errorf("%s(%q): the message framing is the proxy's", fn, name))
	}
	return string(name)
}

// field reads a header name and value at stack[0:4].
func (c *call) field(mem api.Memory, stack []uint64, fn string) (string, string) {
	name := c.fieldName(mem, stack, fn)
	value := c.read(mem, stack[2], stack[3])
	if !httpsyntax.IsFieldValue(value) {
		c.fail(fmt.Errorf("%s(%q): the value holds a control character (CR, LF, NUL)", fn, name))
	}
	return name, string(value)
}

// block records a block with its status and body.
func (c *call) block(mem api.Memory, status, ptr, n uint64) {
	s := api.DecodeU32(status)
	if s < 200 || s > 599 {
		c.fail(fmt.Errorf("set_block(%d): want a final status, 200 to 599", s))
	}
	c.action = actionBlock
	c.blockStatus = int(s)
	c.body = append(c.body[:0], c.read(mem, ptr, n)...)
	c.headers = c.headers[:0]
}

// blockHeaders reads set_block_with_headers' JSON object, in its order.
func (c *call) blockHeaders(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("the headers are not a JSON object: %s", raw)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("the headers are not a JSON object of strings: %w", err)
		}
		name, _ := t.(string)
		var value string
		if err := dec.Decode(&value); err != nil {
			return fmt.Errorf("header %q: want a string value: %w", name, err)
		}
		if !httpsyntax.IsToken(name) || !httpsyntax.IsFieldValue(value) || httpsyntax.EqualFold(name, "content-length") || httpsyntax.EqualFold(name, "transfer-encoding") {
			return fmt.Errorf("header %q: a name is a token other than Content-Length and Transfer-Encoding, a value holds no CR, LF or NUL", name)
		}
		c.headers = append(c.headers, pipeline.Field{Name: name, Value: value})
	}
	return nil
}
