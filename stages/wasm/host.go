package wasm

import (
	"context"
	"fmt"
	"slices"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// hostModules are the import modules the host functions are registered
// under: guests built against either name load.
var hostModules = []string{"mothership", "env"}

// hostFunc is one host function of the mothership ABI; every parameter
// and result is an i32.
type hostFunc struct {
	name             string
	params, results  int
	fn               func(c *call, mem api.Memory, stack []uint64)
	phaseRequestOnly bool
}

// hostFuncs is the ABI's table (../shared/spec/wasm.md); the functions are
// in abi.go.
var hostFuncs = []hostFunc{
	{name: "get_request", results: 1, fn: getRequest},
	{name: "read_request", params: 2, results: 1, fn: readRequest},
	{name: "set_action", params: 1, fn: setAction},
	{name: "set_block", params: 3, fn: setBlock},
	{name: "set_block_with_headers", params: 5, fn: setBlockWithHeaders},
	{name: "log", params: 3, fn: logCall},
	{name: "get_config", params: 2, results: 1, fn: getConfig},
	{name: "set_path", params: 2, fn: setPath, phaseRequestOnly: true},
	{name: "set_request_header", params: 4, fn: setRequestHeader, phaseRequestOnly: true},
	{name: "remove_request_header", params: 2, fn: removeRequestHeader, phaseRequestOnly: true},
	{name: "set_response_header", params: 4, fn: setResponseHeader},
	{name: "remove_response_header", params: 2, fn: removeResponseHeader},
}

// instanceKey finds, in the context a guest is called with, its instance.
type instanceKey struct{}

// instantiateHost registers every host function under the import module
// name in rt.
func instantiateHost(ctx context.Context, rt wazero.Runtime, name string) error {
	b := rt.NewHostModuleBuilder(name)
	for _, hf := range hostFuncs {
		hf := hf
		fn := api.GoModuleFunc(func(ctx context.Context, m api.Module, stack []uint64) {
			in, _ := ctx.Value(instanceKey{}).(*instance)
			if in == nil || in.call == nil {
				panic(fmt.Errorf("%s called outside on_request or on_response", hf.name))
			}
			c := in.call
			if hf.phaseRequestOnly && c.phase == phaseResponse {
				c.fail(fmt.Errorf("%s in the response phase: the request has gone to the target already", hf.name))
			}
			hf.fn(c, m.Memory(), stack)
		})
		b.NewFunctionBuilder().WithGoModuleFunction(fn, i32s(hf.params), i32s(hf.results)).Export(hf.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

func i32s(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = api.ValueTypeI32
	}
	return t
}

// checkExports makes sure the guest exports its memory and entry () -> ().
func checkExports(cm wazero.CompiledModule, entry string) error {
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("exports no memory named %q (the mothership ABI needs it)", "memory")
	}
	fn, ok := cm.ExportedFunctions()[entry]
	if !ok {
		return fmt.Errorf("exports no function %s, which its phase calls", entry)
	}
	if len(fn.ParamTypes()) != 0 || len(fn.ResultTypes()) != 0 {
		return fmt.Errorf("exports %s with parameters or results; the ABI wants () -> ()", entry)
	}
	return nil
}

// checkImports makes sure every function the guest imports is one the
// host provides, with the signature the host gives it.
func checkImports(cm wazero.CompiledModule) error {
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod == wasi_snapshot_preview1.ModuleName {
			continue // wazero names a missing WASI function at instantiation
		}
		if !slices.Contains(hostModules, mod) {
			return fmt.Errorf("imports %s.%s, but the host offers only the modules mothership, env and %s", mod, name, wasi_snapshot_preview1.ModuleName)
		}
		i := slices.IndexFunc(hostFuncs, func(hf hostFunc) bool { return hf.name == name })
		if i < 0 {
			return fmt.Errorf("imports %s.%s, which the host does not provide", mod, name)
		}
		hf := hostFuncs[i]
		if !allI32(def.ParamTypes(), hf.params) || !allI32(def.ResultTypes(), hf.results) {
			return fmt.Errorf("imports %s.%s with the wrong signature; the host's takes %d i32 and returns %d", mod, name, hf.params, hf.results)
		}
	}
	return nil
}

func allI32(ts []api.ValueType, n int) bool {
	if len(ts) != n {
		return false
	}
	for _, t := range ts {
		if t != api.ValueTypeI32 {
			return false
		}
	}
	return true
}
