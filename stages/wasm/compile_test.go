package wasm

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

func TestCompileRefusesModulesTheHostCannotRun(t *testing.T) {
	nop := wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request"}}}
	cases := []struct {
		name  string
		code  []byte
		phase string
		want  string // in the problem's message, after the module's name
	}{
		{"not WebAssembly", []byte("#!/bin/sh\necho hi\n"), "", "auth.wasm: not a WebAssembly module that compiles"},
		{"no on_request", nop.Bytes(), "response", "exports no function on_response, which the ABI calls"},
		{"no memory", wasmtest.Module{NoMemory: true, Funcs: nop.Funcs}.Bytes(), "", `exports no memory named "memory" (the ABI needs it)`},
		{"an unknown import module", wasmtest.Module{Imports: []wasmtest.Import{{Module: "proxy_wasm", Name: "x"}}, Funcs: nop.Funcs}.Bytes(), "",
			"imports proxy_wasm.x, but the host offers only the modules mothership, env and wasi_snapshot_preview1"},
		{"an unknown host function", wasmtest.Module{Imports: []wasmtest.Import{{Module: "env", Name: "get_body"}}, Funcs: nop.Funcs}.Bytes(), "",
			"imports env.get_body, which the host does not provide"},
		{"a wrong signature", wasmtest.Module{Imports: []wasmtest.Import{{Module: "mothership", Name: "set_path", Params: 1}}, Funcs: nop.Funcs}.Bytes(), "",
			"imports mothership.set_path as (i32) -> (); the host's is (i32, i32) -> ()"},
		{"an unknown WASI function", wasmtest.Module{Imports: []wasmtest.Import{{Module: "wasi_snapshot_preview1", Name: "sock_teleport"}}, Funcs: nop.Funcs}.Bytes(), "",
			"instantiating:"},
	}
	for _, tc := range cases {
		_, probs := compileSet(t, modSpec{name: "auth", phase: tc.phase, code: tc.code})
		if len(probs) != 1 {
			t.Errorf("%s: got problems %v, want one", tc.name, probs)
			continue
		}
		p := probs[0]
		if p.Line != 10 || !strings.HasPrefix(p.Message, `module "auth": `) || !strings.Contains(p.Message, tc.want) {
			t.Errorf("%s: got %q at line %d, want line 10 and a message naming the module with %q", tc.name, p.Message, p.Line, tc.want)
		}
	}
}

func TestCompileAcceptsEitherImportModuleName(t *testing.T) {
	for _, module := range mothershipABI.imports {
		code := wasmtest.Module{Imports: imports(module), Funcs: []wasmtest.Func{{Export: "on_request"}}}.Bytes()
		if _, probs := compileSet(t, modSpec{name: "m", code: code}); probs != nil {
			t.Errorf("host functions under %q: %v", module, probs)
		}
	}
}

func TestAGuestMayReadItsConfigAndLogInInitialize(t *testing.T) {
	var d data
	msgOff, msgLen := d.at("starting")
	code := wasmtest.Module{Imports: imports("mothership"), Data: []byte(d.b.String()), Funcs: []wasmtest.Func{
		{Export: "_initialize", Body: wasmtest.Code(hostCall("get_config", scratch, 100), hostCall("log", 2, msgOff, msgLen))},
		{Export: "on_request"},
	}}.Bytes()
	if _, probs := compileSet(t, modSpec{name: "m", code: code, config: map[string]any{"a": 1}}); probs != nil {
		t.Errorf("get_config and log in _initialize: %v", probs)
	}
	reads := wasmtest.Module{Imports: imports("mothership"), Funcs: []wasmtest.Func{
		{Export: "_initialize", Body: hostCall("get_request")},
		{Export: "on_request"},
	}}.Bytes()
	if _, probs := compileSet(t, modSpec{name: "m", code: reads}); len(probs) != 1 || !strings.Contains(probs[0].Message, "get_request called outside a request") {
		t.Errorf("get_request in _initialize: got %v, want it refused by name", probs)
	}
}
