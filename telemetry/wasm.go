package telemetry

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/stages/wasm"
	"github.com/prometheus/client_golang/prometheus"
)

// wasmCallBuckets span a guest's call: a few microseconds for one that
// does nothing, up to the default 50 ms timeout and past it.
var wasmCallBuckets = []float64{
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001,
	0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
}

// wasmModule is one module's series, resolved once, and the same counts
// for the dashboard's Modules tab.
type wasmModule struct {
	name                              string
	calls, blocks, errors             prometheus.Counter
	duration                          prometheus.Observer
	callCount, blockCount, errorCount atomic.Uint64
	lastError                         atomic.Pointer[string]
}

// Call implements wasm.Observer.
func (o *wasmModule) Call(d time.Duration, blocked bool, err error) {
	o.calls.Inc()
	o.callCount.Add(1)
	if blocked {
		o.blocks.Inc()
		o.blockCount.Add(1)
	}
	if err != nil {
		o.errors.Inc()
		o.errorCount.Add(1)
		msg, _, _ := strings.Cut(err.Error(), "\n") // wazero's stack trace follows
		o.lastError.Store(&msg)
	}
	o.duration.Observe(d.Seconds())
}

// wasmModules are the modules WasmModule was asked for, in that order.
type wasmModules struct {
	mu   sync.Mutex
	mods []*wasmModule
}

// WasmModule is what wasm.Observers asks for: the series
// mothership_wasm_{calls,blocks,errors}_total{module} and
// mothership_wasm_call_duration_seconds{module}, registered on the first
// call (a manifest with modules) so that /metrics shows them only then. A
// module asked for again (a second server) keeps counting where it was.
func (m *Metrics) WasmModule(name string) wasm.Observer {
	m.wasm.mu.Lock()
	defer m.wasm.mu.Unlock()
	for _, o := range m.wasm.mods {
		if o.name == name {
			return o
		}
	}
	labels := []string{"module"}
	counter := func(what, help string) prometheus.Counter {
		v := register(m.reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mothership_wasm_" + what + "_total", Help: help}, labels))
		return v.WithLabelValues(name)
	}
	duration := register(m.reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "mothership_wasm_call_duration_seconds", Help: "Time of one call into a WASM module, from taking an instance to its return.",
		Buckets: wasmCallBuckets,
	}, labels))
	o := &wasmModule{
		name:     name,
		calls:    counter("calls", "Calls into a WASM module."),
		blocks:   counter("blocks", "Calls into a WASM module that answered the request themselves (a block)."),
		errors:   counter("errors", "Calls into a WASM module that trapped, ran past their timeout or made a malformed host call."),
		duration: duration.WithLabelValues(name),
	}
	m.wasm.mods = append(m.wasm.mods, o)
	return o
}

// ModuleCounts is a snapshot of one WASM module's calls since the start.
type ModuleCounts struct {
	// Name is the module's name in the manifest.
	Name string
	// Calls, Blocks and Errors count its calls, those that answered the
	// request themselves, and those that failed.
	Calls, Blocks, Errors uint64
	// LastError is the last failed call's error; "" when none failed.
	LastError string
}

// Modules returns every module's counts, in the order they were built.
func (m *Metrics) Modules() []ModuleCounts {
	m.wasm.mu.Lock()
	defer m.wasm.mu.Unlock()
	out := make([]ModuleCounts, 0, len(m.wasm.mods))
	for _, o := range m.wasm.mods {
		c := ModuleCounts{Name: o.name, Calls: o.callCount.Load(), Blocks: o.blockCount.Load(), Errors: o.errorCount.Load()}
		if p := o.lastError.Load(); p != nil {
			c.LastError = *p
		}
		out = append(out, c)
	}
	return out
}

// register registers c, or returns the collector registered under its
// name before.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			return are.ExistingCollector.(C)
		}
		panic(err) // a name clash within the package: a bug
	}
	return c
}
