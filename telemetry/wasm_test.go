package telemetry

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWasmModuleCounts(t *testing.T) {
	m := NewMetrics()
	auth := m.WasmModule("auth")
	auth.Call(time.Millisecond, false, nil)
	auth.Call(time.Millisecond, true, nil)
	auth.Call(time.Millisecond, false, errors.New("wasm error: unreachable\nwasm stack trace:\n\t.$0()"))
	m.WasmModule("stamp").Call(time.Millisecond, false, nil)
	m.WasmModule("auth").Call(time.Millisecond, false, nil) // a second server's build counts on

	got := m.Modules()
	want := []ModuleCounts{{Name: "auth", Calls: 4, Blocks: 1, Errors: 1, LastError: "wasm error: unreachable"}, {Name: "stamp", Calls: 1}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Modules() = %+v, want %+v", got, want)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, series := range []string{
		`mothership_wasm_calls_total{module="auth"} 4`,
		`mothership_wasm_blocks_total{module="auth"} 1`,
		`mothership_wasm_errors_total{module="auth"} 1`,
		`mothership_wasm_call_duration_seconds_count{module="stamp"} 1`,
	} {
		if !strings.Contains(string(body), series) {
			t.Errorf("/metrics lacks %q", series)
		}
	}
}
