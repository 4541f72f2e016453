package telemetry

import (
	"errors"
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

// wasmModule is one module's series, resolved once.
type wasmModule struct {
	calls, blocks, errors prometheus.Counter
	duration              prometheus.Observer
	stat                  *moduleStat // the same calls, for the dashboard
}

// Call implements wasm.Observer.
func (o *wasmModule) Call(d time.Duration, blocked, failed bool) {
	o.calls.Inc()
	o.stat.calls.Add(1)
	if blocked {
		o.blocks.Inc()
		o.stat.blocks.Add(1)
	}
	if failed {
		o.errors.Inc()
		o.stat.errors.Add(1)
	}
	o.duration.Observe(d.Seconds())
}

// WasmModule is what wasm.Observers asks for: the series
// mothership_wasm_{calls,blocks,errors}_total{module} and
// mothership_wasm_call_duration_seconds{module}, registered on the first
// call (a manifest with modules) so that /metrics shows them only then.
func (m *Metrics) WasmModule(name string) wasm.Observer {
	labels := []string{"module"}
	counter := func(what, help string) prometheus.Counter {
		v := register(m.reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mothership_wasm_" + what + "_total", Help: help}, labels))
		return v.WithLabelValues(name)
	}
	duration := register(m.reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "mothership_wasm_call_duration_seconds", Help: "Time of one call into a WASM module, from taking an instance to its return.",
		Buckets: wasmCallBuckets,
	}, labels))
	return &wasmModule{
		calls:    counter("calls", "Calls into a WASM module."),
		blocks:   counter("blocks", "Calls into a WASM module that answered the request themselves (a block)."),
		errors:   counter("errors", "Calls into a WASM module that trapped, ran past their timeout or made a malformed host call."),
		duration: duration.WithLabelValues(name),
		stat:     m.modules.stat(name),
	}
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
