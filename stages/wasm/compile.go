package wasm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/useragent"
)

// Logs is where modules' output and failures go.
type Logs struct {
	// Events receives the guests' log calls and output lines, and the
	// modules' errors; nil drops them (clearance's check).
	Events func(level, msg string, kv ...any)
	// Debug receives log calls at level debug; nil drops them.
	Debug func(msg string, kv ...any)
	// ErrorLog receives the modules' errors when Events is nil.
	ErrorLog *log.Logger
}

// Set is a manifest's modules, compiled and each with a warm instance.
type Set struct {
	mods []*module
}

// phase is when a module runs.
type phase uint8

const (
	phaseRequest phase = iota
	phaseResponse
)

// module is one compiled `[[modules]]` entry.
type module struct {
	name     string
	patterns []*routetree.PathPattern
	phase    phase
	config   []byte // the config table as JSON
	timeout  time.Duration
	block    bool // on_error = "block"
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	abi      *abi
	entry    string // the export called: on_request, on_response or handle_request
	exports  []export
	pool     *pool
	logs     Logs
	obs      Observer
}

// Compile compiles every module of m and makes one instance of each, so
// that what fails at instantiation (a missing import, a memory too small,
// a trap in _initialize) fails here. Every problem names the module and
// its line. ctx bounds the compilation.
func Compile(ctx context.Context, m *manifest.Manifest, logs Logs) (*Set, manifest.Problems) {
	s := &Set{}
	var probs manifest.Problems
	if len(m.Modules) > 0 {
		// The exchange's JSON has the UA class, and the classifier builds
		// its automaton on first use (some 20 ms): not in a guest's call,
		// under its timeout.
		useragent.Classify("")
	}
	for _, md := range m.Modules {
		mod, key, err := compileModule(ctx, m.Dir, md, logs)
		if err != nil {
			probs = append(probs, manifest.Problem{File: m.File, Line: md.Pos.Line, Key: key,
				Message: fmt.Sprintf("module %q: %v", md.Name, err)})
			continue
		}
		s.mods = append(s.mods, mod)
	}
	if len(probs) > 0 {
		s.Close(ctx)
		return nil, probs
	}
	return s, nil
}

// Check compiles m's modules and throws them away: clearance's check. A
// module whose file is missing is left to the manifest's warning about it
// (run refuses to start without the file), one with a bad route pattern
// to routetree.Compile's problem.
func Check(ctx context.Context, m *manifest.Manifest) manifest.Problems {
	present := *m
	present.Modules = nil
	for _, md := range m.Modules {
		if _, err := os.Stat(modulePath(m.Dir, md)); err == nil && patternsCompile(md) {
			present.Modules = append(present.Modules, md)
		}
	}
	s, probs := Compile(ctx, &present, Logs{})
	if s != nil {
		s.Close(ctx)
	}
	return probs
}

// Close frees the modules' instances and runtimes.
func (s *Set) Close(ctx context.Context) error {
	var errs []error
	for _, mod := range s.mods {
		mod.pool.close()
		errs = append(errs, mod.rt.Close(ctx))
	}
	return errors.Join(errs...)
}

// compileModule compiles one module; key is the manifest key a failure
// points at.
func compileModule(ctx context.Context, dir string, md *manifest.Module, logs Logs) (*module, string, error) {
	key := md.Pos.Key
	mod := &module{name: md.Name, timeout: md.Timeout, block: md.OnError == manifest.OnErrorBlock, logs: logs, obs: nopObserver{}}
	mod.abi, mod.entry = mothershipABI, "on_request"
	if md.Phase == "response" {
		mod.phase, mod.entry = phaseResponse, "on_response"
	}
	mod.exports = []export{{name: mod.entry}}
	if md.ABI == manifest.ABIHTTPWasm {
		// Both phases by nature: handle_request, then handle_response.
		mod.abi, mod.entry, mod.phase, mod.exports = httpWasmABI, "handle_request", phaseRequest, httpWasmExports
	}
	for i, p := range md.Routes {
		pat, err := routetree.CompilePathPattern(p)
		if err != nil {
			return nil, key + ".routes[" + strconv.Itoa(i) + "]", err
		}
		mod.patterns = append(mod.patterns, pat)
	}
	cfg, err := json.Marshal(md.Config)
	if err != nil {
		return nil, key + ".config", fmt.Errorf("config as JSON: %w", err)
	}
	if md.Config == nil {
		cfg = []byte("{}")
	}
	mod.config = cfg
	code, err := os.ReadFile(modulePath(dir, md))
	if err != nil {
		return nil, key + ".wasm", err
	}
	if err := mod.load(ctx, code, md.MemoryLimit); err != nil {
		mod.rt.Close(ctx)
		return nil, key + ".wasm", fmt.Errorf("%s: %w", md.Wasm, err)
	}
	return mod, key, nil
}

// load makes the module's runtime with the host's functions, compiles
// code, checks its exports and imports, and warms its pool.
func (mod *module) load(ctx context.Context, code []byte, memoryLimit int64) error {
	pages := uint32((memoryLimit + 65535) / 65536)
	cache, note := compiled()
	if note != "" {
		cacheNote.Do(func() { mod.logEvent("warn", note) })
	}
	cfg := wazero.NewRuntimeConfig().WithCompilationCache(cache).WithCloseOnContextDone(true).WithMemoryLimitPages(pages)
	mod.rt = wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, mod.rt); err != nil {
		return fmt.Errorf("WASI: %w", err)
	}
	if err := instantiateHost(ctx, mod.rt, mod.abi); err != nil {
		return fmt.Errorf("host functions: %w", err)
	}
	cm, err := mod.rt.CompileModule(ctx, code)
	if err != nil {
		return fmt.Errorf("not a WebAssembly module that compiles: %w", err)
	}
	mod.compiled = cm
	// Imports first: a guest built for the other ABI is told so.
	if err := checkImports(cm, mod.abi); err != nil {
		return err
	}
	if err := checkExports(cm, mod.exports); err != nil {
		return err
	}
	mod.pool = newPool(mod, poolBound(mod.abi))
	in, err := mod.pool.get()
	if err != nil {
		return err
	}
	mod.pool.put(in)
	return nil
}

func patternsCompile(md *manifest.Module) bool {
	for _, p := range md.Routes {
		if _, err := routetree.CompilePathPattern(p); err != nil {
			return false
		}
	}
	return true
}

// modulePath is where the module's file is: relative to the manifest's
// directory unless absolute.
func modulePath(dir string, md *manifest.Module) string {
	if filepath.IsAbs(md.Wasm) {
		return md.Wasm
	}
	return filepath.Join(dir, md.Wasm)
}

// applies reports whether the module runs on a request for path.
func (mod *module) applies(path string) bool {
	for _, p := range mod.patterns {
		if p.Match(path) {
			return true
		}
	}
	return false
}
