// Package wasmtest assembles small WebAssembly modules for tests: a guest
// that does nothing, one that traps, one that never returns, one that calls
// host functions with data it carries. Tests get real modules without a
// toolchain; guests built with one live in examples/wasm.
package wasmtest

// Value types, for signatures that are not all i32.
const (
	I32T byte = 0x7f
	I64T byte = 0x7e
)

// Import is a host function the module imports.
type Import struct {
	Module, Name    string
	Params, Results int // counts of i32
	// Sig, when set, is the signature instead of Params and Results.
	Sig *Sig
}

// Sig is a function signature of any value types.
type Sig struct{ Params, Results []byte }

// Func is a function the module defines and exports under Export; it is
// () -> () unless Sig says otherwise.
type Func struct {
	Export string
	Sig    *Sig
	// Body is the code, without locals and the final `end`.
	Body []byte
}

// Module is a module to assemble: imported functions (indices 0…),
// exported functions (after them, all () -> ()), one page of exported
// `memory` unless NoMemory, and Data copied to the memory at offset 0.
type Module struct {
	Imports  []Import
	Funcs    []Func
	Data     []byte
	NoMemory bool
}

// Opcodes for bodies.
var (
	// Unreachable traps.
	Unreachable = []byte{0x00}
	// Forever is a loop that never ends.
	Forever = []byte{0x03, 0x40, 0x0c, 0x00, 0x0b}
)

// I32 pushes n.
func I32(n int32) []byte { return append([]byte{0x41}, sleb(int64(n))...) }

// I64 pushes n.
func I64(n int64) []byte { return append([]byte{0x42}, sleb(n)...) }

// LocalGet pushes parameter i.
func LocalGet(i int) []byte { return append([]byte{0x20}, uleb(uint64(i))...) }

// Call calls function fn.
func Call(fn int) []byte { return append([]byte{0x10}, uleb(uint64(fn))...) }

// Drop drops the top of the stack.
var Drop = []byte{0x1a}

// Code joins instructions into a body.
func Code(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Bytes assembles the module.
func (m Module) Bytes() []byte {
	out := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	var types [][]byte
	for _, im := range m.Imports {
		types = append(types, sigOf(im.Sig, im.Params, im.Results))
	}
	for _, f := range m.Funcs {
		types = append(types, sigOf(f.Sig, 0, 0))
	}
	out = section(out, 1, vec(types))
	var imports [][]byte
	for i, im := range m.Imports {
		e := append(name(im.Module), name(im.Name)...)
		imports = append(imports, append(append(e, 0x00), uleb(uint64(i))...))
	}
	out = section(out, 2, vec(imports))
	var fns [][]byte
	for i := range m.Funcs {
		fns = append(fns, uleb(uint64(len(m.Imports)+i)))
	}
	out = section(out, 3, vec(fns))
	if !m.NoMemory {
		out = section(out, 5, vec([][]byte{{0x00, 0x01}}))
	}
	var exports [][]byte
	if !m.NoMemory {
		exports = append(exports, append(name("memory"), 0x02, 0x00))
	}
	for i, f := range m.Funcs {
		exports = append(exports, append(append(name(f.Export), 0x00), uleb(uint64(len(m.Imports)+i))...))
	}
	out = section(out, 7, vec(exports))
	var codes [][]byte
	for _, f := range m.Funcs {
		body := append([]byte{0x00}, f.Body...) // no locals
		body = append(body, 0x0b)
		codes = append(codes, append(uleb(uint64(len(body))), body...))
	}
	out = section(out, 10, vec(codes))
	if len(m.Data) > 0 {
		seg := append([]byte{0x00, 0x41, 0x00, 0x0b}, uleb(uint64(len(m.Data)))...)
		out = section(out, 11, vec([][]byte{append(seg, m.Data...)}))
	}
	return out
}

// sigOf encodes sig, or params and results i32s without one.
func sigOf(sig *Sig, params, results int) []byte {
	if sig == nil {
		sig = &Sig{}
		for range params {
			sig.Params = append(sig.Params, I32T)
		}
		for range results {
			sig.Results = append(sig.Results, I32T)
		}
	}
	b := append([]byte{0x60}, uleb(uint64(len(sig.Params)))...)
	b = append(b, sig.Params...)
	b = append(b, uleb(uint64(len(sig.Results)))...)
	return append(b, sig.Results...)
}

func section(out []byte, id byte, content []byte) []byte {
	out = append(out, id)
	out = append(out, uleb(uint64(len(content)))...)
	return append(out, content...)
}

func vec(items [][]byte) []byte {
	b := uleb(uint64(len(items)))
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

func name(s string) []byte { return append(uleb(uint64(len(s))), s...) }

func uleb(v uint64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

func sleb(v int64) []byte {
	var b []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		done := v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0
		if !done {
			c |= 0x80
		}
		b = append(b, c)
		if done {
			return b
		}
	}
}
