package wasm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// hostFunc is one host function of an ABI. fn runs with the calling
// instance, whose call is nil outside handle_request, on_request and
// their kin (while it starts); only anytime functions may run then.
type hostFunc struct {
	name            string
	params, results []api.ValueType
	fn              func(in *instance, mem api.Memory, stack []uint64)
	anytime         bool
}

// abi is what an ABI asks of the host and of a guest.
type abi struct {
	// imports are the import module names its host functions are under.
	imports []string
	funcs   []hostFunc
}

// instanceKey finds, in the context a guest is called with, its instance.
type instanceKey struct{}

// instantiateHost registers a's host functions under each of its import
// module names in rt.
func instantiateHost(ctx context.Context, rt wazero.Runtime, a *abi) error {
	for _, name := range a.imports {
		b := rt.NewHostModuleBuilder(name)
		for _, hf := range a.funcs {
			fn := api.GoModuleFunc(func(ctx context.Context, m api.Module, stack []uint64) {
				in, _ := ctx.Value(instanceKey{}).(*instance)
				if in == nil || in.call == nil && !hf.anytime {
					panic(fmt.Errorf("%s called outside a request (while the instance started?)", hf.name))
				}
				hf.fn(in, m.Memory(), stack)
			})
			b.NewFunctionBuilder().WithGoModuleFunction(fn, hf.params, hf.results).Export(hf.name)
		}
		if _, err := b.Instantiate(ctx); err != nil {
			return err
		}
	}
	return nil
}

func i32s(n int) []api.ValueType {
	t := make([]api.ValueType, n)
	for i := range t {
		t[i] = api.ValueTypeI32
	}
	return t
}

// export is a function a guest must export, with its signature.
type export struct {
	name            string
	params, results []api.ValueType
}

// checkExports makes sure the guest exports its memory and each of want.
func checkExports(cm wazero.CompiledModule, want []export) error {
	if _, ok := cm.ExportedMemories()["memory"]; !ok {
		return fmt.Errorf("exports no memory named %q (the ABI needs it)", "memory")
	}
	for _, e := range want {
		fn, ok := cm.ExportedFunctions()[e.name]
		if !ok {
			return fmt.Errorf("exports no function %s, which the ABI calls", e.name)
		}
		if !slices.Equal(fn.ParamTypes(), e.params) || !slices.Equal(fn.ResultTypes(), e.results) {
			return fmt.Errorf("exports %s as %s; the ABI wants %s", e.name, signature(fn.ParamTypes(), fn.ResultTypes()), signature(e.params, e.results))
		}
	}
	return nil
}

// checkImports makes sure every function the guest imports is one of a's,
// with the signature the host gives it.
func checkImports(cm wazero.CompiledModule, a *abi) error {
	for _, def := range cm.ImportedFunctions() {
		mod, name, _ := def.Import()
		if mod == wasi_snapshot_preview1.ModuleName {
			continue // wazero names a missing WASI function at instantiation
		}
		if !slices.Contains(a.imports, mod) {
			return fmt.Errorf("imports %s.%s, but the host offers only the modules %s and %s", mod, name, strings.Join(a.imports, ", "), wasi_snapshot_preview1.ModuleName)
		}
		i := slices.IndexFunc(a.funcs, func(hf hostFunc) bool { return hf.name == name })
		if i < 0 {
			return fmt.Errorf("imports %s.%s, which the host does not provide", mod, name)
		}
		hf := a.funcs[i]
		if !slices.Equal(def.ParamTypes(), hf.params) || !slices.Equal(def.ResultTypes(), hf.results) {
			return fmt.Errorf("imports %s.%s as %s; the host's is %s", mod, name, signature(def.ParamTypes(), def.ResultTypes()), signature(hf.params, hf.results))
		}
	}
	return nil
}

// signature spells a function type as WebAssembly text does: (i32, i32) -> i64.
func signature(params, results []api.ValueType) string {
	names := func(ts []api.ValueType) string {
		s := make([]string, len(ts))
		for i, t := range ts {
			s[i] = api.ValueTypeName(t)
		}
		return "(" + strings.Join(s, ", ") + ")"
	}
	return names(params) + " -> " + names(results)
}
