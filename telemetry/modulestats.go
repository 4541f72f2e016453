package telemetry

import (
	"sync"
	"sync/atomic"
)

// moduleTable counts each WASM module's calls for the dashboard's Modules
// tab, as the metrics count them: one stat per module name, kept across
// compiles.
type moduleTable struct {
	mu     sync.Mutex
	byName map[string]*moduleStat
	names  []string // in the order the modules were compiled
}

// moduleStat is one module's counts.
type moduleStat struct {
	calls, blocks, errors atomic.Uint64
}

func (t *moduleTable) stat(name string) *moduleStat {
	t.mu.Lock()
	defer t.mu.Unlock()
	if s := t.byName[name]; s != nil {
		return s
	}
	if t.byName == nil {
		t.byName = map[string]*moduleStat{}
	}
	s := &moduleStat{}
	t.byName[name] = s
	t.names = append(t.names, name)
	return s
}

// ModuleCounts is a snapshot of one WASM module's calls since the start.
type ModuleCounts struct {
	Name string
	// Calls, Blocks and Errors count the calls, the calls that answered
	// the request themselves, and the calls that failed.
	Calls, Blocks, Errors uint64
}

// Modules returns the counts of every WASM module compiled so far, in the
// order they were compiled.
func (m *Metrics) Modules() []ModuleCounts {
	t := &m.modules
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]ModuleCounts, len(t.names))
	for i, name := range t.names {
		s := t.byName[name]
		out[i] = ModuleCounts{Name: name, Calls: s.calls.Load(), Blocks: s.blocks.Load(), Errors: s.errors.Load()}
	}
	return out
}
