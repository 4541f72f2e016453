package wasm

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// imports are every host function, under the mothership module, in the
// table's order: a test guest calls one by fn(name).
func imports(module string) []wasmtest.Import {
	var ims []wasmtest.Import
	for _, hf := range mothershipABI.funcs {
		ims = append(ims, wasmtest.Import{Module: module, Name: hf.name, Params: len(hf.params), Results: len(hf.results)})
	}
	return ims
}

// fn is the index of a host function in imports.
func fn(name string) int {
	return slices.IndexFunc(mothershipABI.funcs, func(hf hostFunc) bool { return hf.name == name })
}

// call1 calls a host function with constant arguments and drops its
// result.
func hostCall(name string, args ...int32) []byte {
	var b []byte
	for _, a := range args {
		b = append(b, wasmtest.I32(a)...)
	}
	b = append(b, wasmtest.Call(fn(name))...)
	if len(mothershipABI.funcs[fn(name)].results) > 0 {
		b = append(b, wasmtest.Drop...)
	}
	return b
}

// guest is a module with every host function imported, data at offset 0
// and body as its entry.
func guest(entry string, data string, body ...[]byte) []byte {
	return wasmtest.Module{Imports: imports("mothership"), Data: []byte(data),
		Funcs: []wasmtest.Func{{Export: entry, Body: wasmtest.Code(body...)}}}.Bytes()
}

// modSpec is a module of a test manifest.
type modSpec struct {
	name, phase, onError, abi string
	routes                    []string
	code                      []byte
	config                    map[string]any
	timeout                   time.Duration
	memory                    int64 // bytes; 16 MiB when 0
}

// compileSet writes the modules into a temporary directory and compiles
// them as a manifest listing them would.
func compileSet(t testing.TB, specs ...modSpec) (*Set, manifest.Problems) {
	t.Helper()
	dir := t.TempDir()
	m := &manifest.Manifest{File: filepath.Join(dir, "ship-manifest.toml"), Dir: dir}
	for i, sp := range specs {
		file := sp.name + ".wasm"
		if err := os.WriteFile(filepath.Join(dir, file), sp.code, 0o644); err != nil {
			t.Fatal(err)
		}
		md := &manifest.Module{Name: sp.name, Wasm: file, Routes: sp.routes, Phase: sp.phase, Config: sp.config,
			ABI: cmp.Or(sp.abi, manifest.ABIMothership), Timeout: sp.timeout, MemoryLimit: cmp.Or(sp.memory, 16<<20), OnError: sp.onError,
			Pos: manifest.Pos{Line: 10 + i, Key: "modules[" + string(rune('0'+i)) + "]"}}
		if md.Phase == "" {
			md.Phase = "request"
		}
		if md.Routes == nil {
			md.Routes = []string{"/.*"}
		}
		if md.OnError == "" {
			md.OnError = manifest.OnErrorBlock
		}
		if md.Timeout == 0 {
			// Not the default 50 ms: a loaded machine may pause a call past
			// it (memory.grow of ten pages answered 500 so), and only the
			// timeout test needs a short one, which it sets.
			md.Timeout = 2 * time.Second
		}
		m.Modules = append(m.Modules, md)
	}
	s, probs := Compile(context.Background(), m, Logs{})
	if s != nil {
		t.Cleanup(func() { s.Close(context.Background()) })
	}
	return s, probs
}

// mustStage compiles the modules into a stage.
func mustStage(t testing.TB, specs ...modSpec) *stage {
	t.Helper()
	s, probs := compileSet(t, specs...)
	if probs != nil {
		t.Fatalf("compile: %v", probs)
	}
	return newStage(s)
}

// seen is what reached the end of the pipeline.
type seen struct {
	reached          bool
	path, raw, query string
	target           string
	header           pipeline.Header
}

// backend answers 200 with a header, as a target would, and records what
// reached it.
type backend struct{ seen *seen }

func (b backend) Serve(x *pipeline.Exchange) {
	*b.seen = seen{reached: true, path: x.Path, raw: x.RawPath, query: x.RawQuery, target: x.Target}
	b.seen.header.CopyFrom(&x.Header)
	h := x.Response.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("X-From-Target", "yes")
	x.Response.WriteHeader(200)
	x.Response.Write([]byte("from the target"))
}

// exchange is a GET of target with the fields.
func exchange(target string, kv ...string) (*pipeline.Exchange, *pipelinetest.Recorder) {
	rec := &pipelinetest.Recorder{}
	path, query, _ := cut(target)
	x := &pipeline.Exchange{Method: "GET", Target: target, Path: path, RawPath: path, RawQuery: query, Host: "example.com",
		Proto: "HTTP/1.1", ProtoMinor: 1, Scheme: "http", Bind: "http", Response: rec}
	for i := 0; i+1 < len(kv); i += 2 {
		x.Header.Add(kv[i], kv[i+1])
		if kv[i] == "User-Agent" {
			x.UserAgent = kv[i+1]
		}
	}
	return x, rec
}

func cut(target string) (string, string, bool) {
	for i := range len(target) {
		if target[i] == '?' {
			return target[:i], target[i+1:], true
		}
	}
	return target, "", false
}

// handlerFunc is a pipeline.Handler that runs f.
type handlerFunc func()

func (f handlerFunc) Serve(*pipeline.Exchange) { f() }
