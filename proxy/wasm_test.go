package proxy

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// wasmModules writes a module that does nothing and one that blocks with
// the canned backend's own answer (200, "hello, world\n"), and returns
// the manifest lines that run the one named on every request.
func wasmModule(t testing.TB, which string) string {
	dir := t.TempDir()
	body := "hello, world\n"
	code := map[string][]byte{
		"nop": wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request"}}}.Bytes(),
		"block": wasmtest.Module{
			Imports: []wasmtest.Import{{Module: "mothership", Name: "set_block", Params: 3}},
			Data:    []byte(body),
			Funcs: []wasmtest.Func{{Export: "on_request", Body: wasmtest.Code(
				wasmtest.I32(200), wasmtest.I32(0), wasmtest.I32(int32(len(body))), wasmtest.Call(0))}},
		}.Bytes(),
	}[which]
	path := filepath.Join(dir, which+".wasm")
	if err := os.WriteFile(path, code, 0o644); err != nil {
		t.Fatal(err)
	}
	return "[[modules]]\nname = \"" + which + "\"\nwasm = " + strconv.Quote(path) + "\nroutes = [\"/.*\"]\n\n"
}

// BenchmarkPipelineWithWasm times a keep-alive GET through the whole path
// without a module, through one that does nothing and returns Continue,
// and through one that blocks (answering as the backend would, so that
// the client reads the same bytes).
func BenchmarkPipelineWithWasm(b *testing.B) {
	for _, which := range []string{"none", "nop", "block"} {
		b.Run(which, func(b *testing.B) {
			doc := ""
			if which != "none" {
				doc = wasmModule(b, which)
			}
			addr := start(b, doc+to(cannedBackend(b)))
			rc := newRawClient(b, addr, "GET /ping HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n")
			b.ReportAllocs()
			for b.Loop() {
				rc.roundTrip(b)
			}
		})
	}
}
