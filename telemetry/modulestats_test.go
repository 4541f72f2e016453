package telemetry

import (
	"testing"
	"time"
)

// TestModuleCounts: the dashboard's module counts are the calls the
// metrics count, per module, kept when a module is compiled again.
func TestModuleCounts(t *testing.T) {
	m := NewMetrics()
	guard, tagger := m.WasmModule("guard"), m.WasmModule("tagger")
	guard.Call(time.Millisecond, false, false)
	guard.Call(time.Millisecond, true, false)
	m.WasmModule("guard").Call(time.Millisecond, false, true) // compiled again
	tagger.Call(time.Millisecond, false, false)
	want := []ModuleCounts{{Name: "guard", Calls: 3, Blocks: 1, Errors: 1}, {Name: "tagger", Calls: 1}}
	got := m.Modules()
	if len(got) != len(want) {
		t.Fatalf("Modules() = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("module %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	fams := scrape(t, serve(t, m.Handler()))
	if v, ok := value(fams, "mothership_wasm_calls_total", map[string]string{"module": "guard"}); !ok || v != 3 {
		t.Errorf("mothership_wasm_calls_total{module=guard} = %v (%v), want 3 as the dashboard counts", v, ok)
	}
}
