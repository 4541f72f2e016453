package proxy

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// writeModule writes code where a manifest can name it.
func writeModule(t testing.TB, name string, code []byte) string {
	path := filepath.Join(t.TempDir(), name+".wasm")
	if err := os.WriteFile(path, code, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWasmAnswersThroughTheEngine sends answers that modules changed on
// their way back through the real engine, twice on one connection: what
// the client reads is whole and framed, and the connection lives on.
func TestWasmAnswersThroughTheEngine(t *testing.T) {
	big := strings.Repeat("compressible text ", 1000)
	target := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, big)
	})
	i64 := []byte{wasmtest.I64T}
	// http-wasm: with buffer_response, handle_response reads the body and
	// writes it back with a "!".
	exclaim := wasmtest.Module{
		Imports: []wasmtest.Import{
			{Module: "http_handler", Name: "enable_features", Params: 1, Results: 1},
			{Module: "http_handler", Name: "read_body", Sig: &wasmtest.Sig{Params: []byte{wasmtest.I32T, wasmtest.I32T, wasmtest.I32T}, Results: i64}},
			{Module: "http_handler", Name: "write_body", Params: 3},
		},
		Data: []byte("!"),
		Funcs: []wasmtest.Func{
			{Export: "handle_request", Sig: &wasmtest.Sig{Results: i64}, Body: wasmtest.Code(wasmtest.I32(2), wasmtest.Call(0), wasmtest.Drop, wasmtest.I64(1))},
			{Export: "handle_response", Sig: &wasmtest.Sig{Params: []byte{wasmtest.I32T, wasmtest.I32T}}, Body: wasmtest.Code(
				wasmtest.I32(1), wasmtest.I32(1024),
				wasmtest.I32(1), wasmtest.I32(1024), wasmtest.I32(60000), wasmtest.Call(1), []byte{0xa7}, // i32.wrap_i64
				wasmtest.Call(2),
				wasmtest.I32(1), wasmtest.I32(0), wasmtest.I32(1), wasmtest.Call(2))},
		},
	}.Bytes()
	// mothership, response phase: a block replaces the (compressed) answer.
	refuse := wasmtest.Module{
		Imports: []wasmtest.Import{{Module: "mothership", Name: "set_block", Params: 3}},
		Data:    []byte("refused"),
		Funcs:   []wasmtest.Func{{Export: "on_response", Body: wasmtest.Code(wasmtest.I32(451), wasmtest.I32(0), wasmtest.I32(7), wasmtest.Call(0))}},
	}.Bytes()
	doc := "[mothership]\ncompression = true\n\n" +
		"[[modules]]\nname = \"exclaim\"\nabi = \"http-wasm\"\nwasm = " + strconv.Quote(writeModule(t, "exclaim", exclaim)) + "\nroutes = [\"/exclaim\"]\n\n" +
		"[[modules]]\nname = \"refuse\"\nphase = \"response\"\nwasm = " + strconv.Quote(writeModule(t, "refuse", refuse)) + "\nroutes = [\"/refuse\"]\n\n" +
		to(target)
	addr := start(t, doc)
	c, br := dial(t, addr)
	for range 2 {
		// Identity, so that the guest reads the body as the target sent it.
		io.WriteString(c, "GET /exclaim HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body := readResponse(t, br, "GET")
		if resp.StatusCode != 200 || body != big+"!" || resp.ContentLength != int64(len(big)+1) {
			t.Errorf("/exclaim: %d, %d bytes (Content-Length %d), ending %q; want the target's body and a !", resp.StatusCode, len(body), resp.ContentLength, body[max(0, len(body)-5):])
		}
		io.WriteString(c, "GET /refuse HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
		resp, body = readResponse(t, br, "GET")
		if resp.StatusCode != 451 || body != "refused" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("/refuse: %d %q (Content-Encoding %q), want 451 refused, not encoded", resp.StatusCode, body, resp.Header.Get("Content-Encoding"))
		}
	}
}
