package manifest

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// The limits a module gets when its table sets none.
const (
	defaultModuleTimeout = 50 * time.Millisecond
	defaultModuleMemory  = 16 << 20
	// maxModuleMemory is all a 32-bit linear memory can address.
	maxModuleMemory = 4 << 30
	wasmPage        = 64 << 10
)

// readModuleLimits reads a module's abi, timeout, memory_limit and
// on_error, each defaulting to the template's.
func readModuleLimits(t *table, md, tmpl *Module) {
	md.ABI = cmp.Or(t.str("abi"), tmpl.ABI)
	if md.ABI != ABIMothership && md.ABI != ABIHTTPWasm {
		t.r.errorf(t.key("abi"), "want %q or %q, got %q", ABIMothership, ABIHTTPWasm, md.ABI)
	}
	if md.ABI == ABIHTTPWasm && t.has("phase") {
		t.r.errorf(t.key("phase"), "phase does not apply to an http-wasm module: it has both (handle_request, then handle_response)")
	}
	md.OnError = cmp.Or(t.str("on_error"), tmpl.OnError)
	if md.OnError != OnErrorBlock && md.OnError != OnErrorContinue {
		t.r.errorf(t.key("on_error"), "want %q or %q, got %q", OnErrorBlock, OnErrorContinue, md.OnError)
	}
	md.Timeout = t.duration("timeout", tmpl.Timeout)
	if md.Timeout <= 0 {
		t.r.errorf(t.key("timeout"), "a module's timeout must be more than 0 (it stops a guest that never returns)")
		md.Timeout = tmpl.Timeout
	}
	md.MemoryLimit = tmpl.MemoryLimit
	if v, ok := t.get("memory_limit"); ok {
		md.MemoryLimit = t.byteSize("memory_limit", v, tmpl.MemoryLimit, wasmPage, maxModuleMemory)
	}
}

// byteSize reads a size: integer bytes or a string with a KiB, MiB or GiB
// unit ("16MiB"), between lo and hi.
func (t *table) byteSize(k string, v any, def, lo, hi int64) int64 {
	var n int64
	switch s := v.(type) {
	case int64:
		n = s
	case string:
		var ok bool
		if n, ok = parseByteSize(s); !ok {
			t.r.errorf(t.key(k), "%q is not a size; write it as \"16MiB\", \"512KiB\", \"1GiB\" or integer bytes", s)
			return def
		}
	default:
		t.typeErr(k, `a size ("16MiB") or integer bytes`, v)
		return def
	}
	if n < lo || n > hi {
		t.r.errorf(t.key(k), "%d bytes is out of range; want %d to %d", n, lo, hi)
		return def
	}
	return n
}

// parseByteSize parses "16MiB"-style sizes; a bare number is bytes.
func parseByteSize(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, false
	}
	return n * mult, true
}
