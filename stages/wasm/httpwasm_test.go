package wasm

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// hwImports are the http-wasm host functions in the table's order.
func hwImports() []wasmtest.Import {
	var ims []wasmtest.Import
	for _, hf := range httpWasmABI.funcs {
		ims = append(ims, wasmtest.Import{Module: "http_handler", Name: hf.name, Sig: &wasmtest.Sig{Params: valTypes(hf.params), Results: valTypes(hf.results)}})
	}
	return ims
}

func valTypes(ts []api.ValueType) []byte {
	b := make([]byte, len(ts))
	for i, t := range ts {
		b[i] = wasmtest.I32T
		if t == api.ValueTypeI64 {
			b[i] = wasmtest.I64T
		}
	}
	return b
}

// hw calls an http-wasm host function with i32 arguments, dropping its
// result.
func hw(name string, args ...int32) []byte {
	i := slices.IndexFunc(httpWasmABI.funcs, func(hf hostFunc) bool { return hf.name == name })
	var b []byte
	for _, a := range args {
		b = append(b, wasmtest.I32(a)...)
	}
	b = append(b, wasmtest.Call(i)...)
	if len(httpWasmABI.funcs[i].results) > 0 {
		b = append(b, wasmtest.Drop...)
	}
	return b
}

// hwLen calls a host function and leaves its result's length (the low
// 32 bits of an i64) on the stack.
func hwLen(name string, args ...int32) []byte {
	i := slices.IndexFunc(httpWasmABI.funcs, func(hf hostFunc) bool { return hf.name == name })
	var b []byte
	for _, a := range args {
		b = append(b, wasmtest.I32(a)...)
	}
	b = append(b, wasmtest.Call(i)...)
	if httpWasmABI.funcs[i].results[0] == api.ValueTypeI64 {
		b = append(b, 0xa7) // i32.wrap_i64
	}
	return b
}

// hwGuest is an http-wasm guest: handle_request runs req then returns
// next (with ctx in the upper bits), handle_response runs resp.
func hwGuest(data string, req []byte, next int64, resp []byte) []byte {
	return wasmtest.Module{Imports: hwImports(), Data: []byte(data), Funcs: []wasmtest.Func{
		{Export: "handle_request", Sig: &wasmtest.Sig{Results: []byte{wasmtest.I64T}}, Body: wasmtest.Code(req, wasmtest.I64(next))},
		{Export: "handle_response", Sig: &wasmtest.Sig{Params: []byte{wasmtest.I32T, wasmtest.I32T}}, Body: resp},
	}}.Bytes()
}

// hwSpec is an http-wasm module of a test manifest.
func hwSpec(code []byte) modSpec { return modSpec{name: "hw", abi: manifest.ABIHTTPWasm, code: code} }

func TestHTTPWasm(t *testing.T) {
	var d data
	ctOff, ctLen := d.at("Content-Type")
	textOff, textLen := d.at("text/plain")
	routedOff, routedLen := d.at("routed\n")
	addOff, addLen := d.at("X-Added")
	valOff, valLen := d.at("by the guest")
	cookieOff, cookieLen := d.at("Cookie")
	uriOff, uriLen := d.at("/new%20path?x=1")
	bangOff, bangLen := d.at("!")
	stampOff, stampLen := d.at("X-Stamped")
	layout := d.b.String()
	echo := func(get []byte) []byte { // write_body(response, scratch, get(...)); next = 0
		return wasmtest.Code(wasmtest.I32(kindResponse), wasmtest.I32(scratch), get, wasmtest.Call(slices.IndexFunc(httpWasmABI.funcs, func(hf hostFunc) bool { return hf.name == "write_body" })))
	}
	// if reqCtx != 16 { unreachable }
	checkCtx := wasmtest.Code(wasmtest.LocalGet(0), wasmtest.I32(16), []byte{0x47, 0x04, 0x40, 0x00, 0x0b})
	cases := []struct {
		name    string
		spec    modSpec
		status  int
		body    string
		header  map[string]string // "" for absent
		reached bool
		check   func(t *testing.T, s *seen)
	}{
		{name: "next=1 passes the request on", spec: hwSpec(hwGuest("", nil, 1, nil)), status: 200, body: "from the target", reached: true},
		{name: "a router answers itself", spec: hwSpec(hwGuest(layout, wasmtest.Code(
			hw("set_header_value", kindResponse, ctOff, ctLen, textOff, textLen), hw("write_body", kindResponse, routedOff, routedLen), hw("set_status_code", 202)), 0, nil)),
			status: 202, body: "routed\n", header: map[string]string{"Content-Type": "text/plain", "Content-Length": "7"}},
		{name: "next=0 without a body is an empty 200", spec: hwSpec(hwGuest("", nil, 0, nil)), status: 200, body: ""},
		{name: "request headers set and removed", spec: hwSpec(hwGuest(layout, wasmtest.Code(
			hw("set_header_value", kindRequest, addOff, addLen, valOff, valLen), hw("remove_header", kindRequest, cookieOff, cookieLen)), 1, nil)),
			status: 200, body: "from the target", reached: true, check: func(t *testing.T, s *seen) {
				if s.header.Get("X-Added") != "by the guest" || s.header.Has("Cookie") {
					t.Errorf("headers at the target: %v", s.header.Fields())
				}
			}},
		{name: "set_uri reaches the target", spec: hwSpec(hwGuest(layout, hw("set_uri", uriOff, uriLen), 1, nil)),
			status: 200, body: "from the target", reached: true, check: func(t *testing.T, s *seen) {
				if s.target != "/new%20path?x=1" || s.path != "/new path" || s.query != "x=1" {
					t.Errorf("set_uri: the target got %q (path %q, query %q)", s.target, s.path, s.query)
				}
			}},
		{name: "get_uri", spec: hwSpec(hwGuest("", echo(hwLen("get_uri", scratch, 1000)), 0, nil)), status: 200, body: "/a?b=1"},
		{name: "get_header_names, lower case, NUL-terminated", spec: hwSpec(hwGuest("", echo(hwLen("get_header_names", kindRequest, scratch, 1000)), 0, nil)),
			status: 200, body: "cookie\x00accept\x00user-agent\x00"},
		{name: "get_header_values", spec: hwSpec(hwGuest(layout, echo(hwLen("get_header_values", kindRequest, cookieOff, cookieLen, scratch, 1000)), 0, nil)),
			status: 200, body: "a=1\x00"},
		{name: "a buf_limit too small writes nothing", spec: hwSpec(hwGuest("", echo(hwLen("get_uri", scratch, 2)), 0, nil)), status: 200, body: "\x00\x00\x00\x00\x00\x00"},
		{name: "get_config", spec: modSpec{name: "hw", abi: manifest.ABIHTTPWasm, config: map[string]any{"a": 1}, code: hwGuest("", echo(hwLen("get_config", scratch, 1000)), 0, nil)},
			status: 200, body: `{"a":1}`},
		{name: "handle_response gets the request's ctx and edits the head", spec: hwSpec(hwGuest(layout, nil, 16<<32|1, wasmtest.Code(checkCtx,
			hw("set_header_value", kindResponse, stampOff, stampLen, valOff, valLen)))),
			status: 200, body: "from the target", reached: true, header: map[string]string{"X-Stamped": "by the guest", "X-From-Target": "yes"}},
		{name: "buffer_response lets handle_response read and rewrite the body", spec: hwSpec(hwGuest(layout, hw("enable_features", featureBufferResponse), 1, wasmtest.Code(
			hwLen("read_body", kindResponse, scratch, 1000), wasmtest.Drop,
			hw("write_body", kindResponse, scratch, 15), hw("write_body", kindResponse, bangOff, bangLen), hw("set_status_code", 201)))),
			status: 201, body: "from the target!", reached: true, header: map[string]string{"Content-Length": "16", "X-From-Target": "yes"}},
		{name: "a trap in handle_request answers 500", spec: hwSpec(hwGuest("", wasmtest.Unreachable, 1, nil)),
			status: 500, body: "500 internal error: a module failed on this request\n"},
		{name: "a trap in handle_response replaces the answer with a 500", spec: hwSpec(hwGuest("", nil, 1, wasmtest.Unreachable)),
			status: 500, body: "500 internal error: a module failed on this request\n", reached: true, header: map[string]string{"X-From-Target": ""}},
		{name: "trailers are refused", spec: hwSpec(hwGuest(layout, hw("set_header_value", 2, addOff, addLen, valOff, valLen), 1, nil)),
			status: 500, body: "500 internal error: a module failed on this request\n"},
	}
	for _, tc := range cases {
		st := mustStage(t, tc.spec)
		x, rec := exchange("/a?b=1", "Cookie", "a=1", "Accept", "*/*", "User-Agent", "curl/8")
		var s seen
		st.Serve(x, backend{&s})
		if rec.Code != tc.status || string(rec.Body) != tc.body {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, rec.Code, rec.Body, tc.status, tc.body)
		}
		if s.reached != tc.reached {
			t.Errorf("%s: the target was reached: %v, want %v", tc.name, s.reached, tc.reached)
		}
		for name, want := range tc.header {
			if got := rec.Header().Get(name); got != want {
				t.Errorf("%s: answer's %s is %q, want %q", tc.name, name, got, want)
			}
		}
		if tc.check != nil {
			tc.check(t, &s)
		}
		if x.Response != rec {
			t.Errorf("%s: the stage left its writer in the exchange", tc.name)
		}
	}
}

func TestHTTPWasmRequestBody(t *testing.T) {
	var d data
	newOff, newLen := d.at("a new body")
	layout := d.b.String()
	cases := []struct {
		name, want string
		req        []byte
	}{
		{"buffer_request: the guest reads, the target still gets it whole", "the client's body",
			wasmtest.Code(hw("enable_features", featureBufferRequest), hwLen("read_body", kindRequest, scratch, 4), wasmtest.Drop)},
		{"without buffering, what the guest read is gone", "client's body",
			wasmtest.Code(hwLen("read_body", kindRequest, scratch, 4), wasmtest.Drop)},
		{"write_body replaces it", "a new body", hw("write_body", kindRequest, newOff, newLen)},
	}
	for _, tc := range cases {
		st := mustStage(t, hwSpec(hwGuest(layout, tc.req, 1, nil)))
		x, _ := exchange("/", "Content-Length", "17")
		x.Method, x.Body, x.ContentLength = "POST", strings.NewReader("the client's body"), 17
		var got string
		st.Serve(x, handlerFunc(func() { b, _ := io.ReadAll(x.Body); got = string(b); x.Response.WriteHeader(204) }))
		if got != tc.want || x.ContentLength != int64(len(tc.want)) && tc.name == "write_body replaces it" {
			t.Errorf("%s: the target read %q (Content-Length %d), want %q", tc.name, got, x.ContentLength, tc.want)
		}
	}
}

func TestHTTPWasmNeedsBothExports(t *testing.T) {
	code := wasmtest.Module{Imports: hwImports(), Funcs: []wasmtest.Func{
		{Export: "handle_request", Sig: &wasmtest.Sig{Results: []byte{wasmtest.I64T}}, Body: wasmtest.I64(1)},
	}}.Bytes()
	_, probs := compileSet(t, hwSpec(code))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "exports no function handle_response") {
		t.Errorf("got %v, want the missing handle_response named", probs)
	}
	mothership := wasmtest.Module{Imports: imports("mothership"), Funcs: []wasmtest.Func{{Export: "on_request"}}}.Bytes()
	_, probs = compileSet(t, hwSpec(mothership))
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "imports mothership.get_request, but the host offers only the modules http_handler and wasi_snapshot_preview1") {
		t.Errorf("a mothership guest declared http-wasm: got %v", probs)
	}
}

func TestHTTPWasmStartEnablesFeaturesForEveryRequest(t *testing.T) {
	i := slices.IndexFunc(httpWasmABI.funcs, func(hf hostFunc) bool { return hf.name == "enable_features" })
	code := wasmtest.Module{Imports: hwImports(), Funcs: []wasmtest.Func{
		// A TinyGo guest's main registers its handlers and enables features in _start.
		{Export: "_start", Body: wasmtest.Code(wasmtest.I32(featureBufferResponse), wasmtest.Call(i), wasmtest.Drop)},
		{Export: "handle_request", Sig: &wasmtest.Sig{Results: []byte{wasmtest.I64T}}, Body: wasmtest.I64(1)},
		{Export: "handle_response", Sig: &wasmtest.Sig{Params: []byte{wasmtest.I32T, wasmtest.I32T}}, Body: wasmtest.Code(
			hwLen("read_body", kindResponse, scratch, 100), wasmtest.Drop, hw("write_body", kindResponse, scratch, 15))},
	}}.Bytes()
	st := mustStage(t, hwSpec(code))
	for range 2 {
		x, rec := exchange("/")
		st.Serve(x, backend{&seen{}})
		if rec.Code != 200 || string(rec.Body) != "from the target" {
			t.Errorf("got %d %q, want the target's body read back through buffer_response", rec.Code, rec.Body)
		}
	}
}

func TestACommandThatExitsInStartIsRefused(t *testing.T) {
	code := wasmtest.Module{
		Imports: []wasmtest.Import{{Module: "wasi_snapshot_preview1", Name: "proc_exit", Params: 1}},
		Funcs: []wasmtest.Func{
			{Export: "_start", Body: wasmtest.Code(wasmtest.I32(0), wasmtest.Call(0))},
			{Export: "on_request"},
		}}.Bytes()
	_, probs := compileSet(t, modSpec{name: "cmd", code: code})
	if len(probs) != 1 || !strings.Contains(probs[0].Message, "instantiating: its _start exited") {
		t.Errorf("got %v, want the exit in _start reported", probs)
	}
}

func TestHTTPWasmBufferedHeadKeepsTheTargetsLength(t *testing.T) {
	st := mustStage(t, hwSpec(hwGuest("", hw("enable_features", featureBufferResponse), 1, nil)))
	x, rec := exchange("/")
	x.Method = "HEAD"
	st.Serve(x, handlerFunc(func() {
		x.Response.Header().Set("Content-Length", "1234")
		x.Response.WriteHeader(200)
	}))
	if rec.Code != 200 || rec.Header().Get("Content-Length") != "1234" {
		t.Errorf("HEAD through buffer_response: %d, Content-Length %q; want the target's 1234", rec.Code, rec.Header().Get("Content-Length"))
	}
}
