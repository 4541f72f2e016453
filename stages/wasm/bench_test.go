package wasm

import (
	"testing"

	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// BenchmarkStage times the stage alone on one exchange: a module that
// does nothing, an http-wasm one that passes the request on (two calls),
// one that blocks, one that reads the exchange's JSON.
func BenchmarkStage(b *testing.B) {
	var d data
	off, n := d.at("no")
	for _, tc := range []struct {
		name string
		code []byte
		abi  string
	}{
		{"nop", guest("on_request", ""), ""},
		{"http-wasm-next", hwGuest("", nil, 1, nil), "http-wasm"},
		{"block", guest("on_request", d.b.String(), hostCall("set_block", 403, off, n)), ""},
		{"read-json", guest("on_request", "", wasmtest.I32(scratch), wasmtest.Call(fn("get_request")), wasmtest.Call(fn("read_request")), wasmtest.Drop), ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st := mustStage(b, modSpec{name: "m", code: tc.code, abi: tc.abi})
			x, rec := exchange("/a?b=1", "Accept", "*/*", "User-Agent", "wrk")
			b.ReportAllocs()
			for b.Loop() {
				rec.Reset()
				st.Serve(x, pipelinetest.End{})
			}
		})
	}
}

// wazeroAllocsPerCall is what wazero allocates per call of a module built
// with WithCloseOnContextDone: the goroutine that watches the context
// (its channel, its closure, the deferred stop, and a goroutine when the
// runtime has no exited one to reuse). Nothing else on a call may
// allocate: the exchange's JSON goes into a pooled buffer.
const wazeroAllocsPerCall = 4

func TestACallAllocatesOnlyWhatWazeroDoes(t *testing.T) {
	var d data
	off, n := d.at("no")
	for _, tc := range []struct {
		name string
		code []byte
	}{
		{"a module that does nothing", guest("on_request", "")},
		{"a block", guest("on_request", d.b.String(), hostCall("set_block", 403, off, n))},
		{"a module that reads the exchange", guest("on_request", "", wasmtest.I32(scratch), wasmtest.Call(fn("get_request")), wasmtest.Call(fn("read_request")), wasmtest.Drop)},
	} {
		st := mustStage(t, modSpec{name: "m", code: tc.code})
		x, rec := exchange("/a?b=1", "Accept", "*/*", "User-Agent", "wrk")
		serve := func() { rec.Reset(); st.Serve(x, pipelinetest.End{}) }
		for range 10 {
			serve()
		}
		if a := testing.AllocsPerRun(200, serve); a > wazeroAllocsPerCall {
			t.Errorf("%s: %v allocations per request, want at most wazero's %d", tc.name, a, wazeroAllocsPerCall)
		}
	}
}
