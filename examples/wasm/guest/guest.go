//go:build wasip1

// Package guest is the guest side of mothership's WASM ABI for modules
// written in Go: the host functions of the import module `mothership`,
// wrapped for Go strings and byte slices. Build a module with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o mod.wasm .
//
// and export its entry with //go:wasmexport on_request (or on_response).
package guest

import "unsafe"

//go:wasmimport mothership get_request
func getRequest() uint32

//go:wasmimport mothership read_request
func readRequest(ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport mothership get_config
func getConfig(ptr unsafe.Pointer, n uint32) uint32

//go:wasmimport mothership set_action
func setAction(action uint32)

//go:wasmimport mothership set_block
func setBlock(status uint32, body unsafe.Pointer, bodyLen uint32)

//go:wasmimport mothership set_block_with_headers
func setBlockWithHeaders(status uint32, body unsafe.Pointer, bodyLen uint32, headers unsafe.Pointer, headersLen uint32)

//go:wasmimport mothership log
func logLine(level uint32, ptr unsafe.Pointer, n uint32)

//go:wasmimport mothership set_path
func setPath(ptr unsafe.Pointer, n uint32)

//go:wasmimport mothership set_request_header
func setRequestHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32)

//go:wasmimport mothership remove_request_header
func removeRequestHeader(name unsafe.Pointer, nameLen uint32)

//go:wasmimport mothership set_response_header
func setResponseHeader(name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32)

//go:wasmimport mothership remove_response_header
func removeResponseHeader(name unsafe.Pointer, nameLen uint32)

// Log levels, as the host numbers them.
const (
	Debug = 0
	Warn  = 1
	Info  = 2
)

func ptr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

// Request returns the exchange as JSON (see the README for its keys).
func Request() []byte {
	b := make([]byte, getRequest())
	if len(b) == 0 {
		return b
	}
	return b[:readRequest(unsafe.Pointer(&b[0]), uint32(len(b)))]
}

// Config returns the module's `config` table as JSON.
func Config() []byte {
	b := make([]byte, getConfig(nil, 0))
	if len(b) > 0 {
		getConfig(unsafe.Pointer(&b[0]), uint32(len(b)))
	}
	return b
}

// Block answers the request with status and body; the target never sees it.
func Block(status int, body string) { setBlock(uint32(status), ptr(body), uint32(len(body))) }

// BlockWithHeaders blocks with headers too, a JSON object of names and
// values.
func BlockWithHeaders(status int, body, headersJSON string) {
	setBlockWithHeaders(uint32(status), ptr(body), uint32(len(body)), ptr(headersJSON), uint32(len(headersJSON)))
}

// Continue undoes a block asked for earlier in the same call.
func Continue() { setAction(0) }

// Log writes a log line at level Debug, Warn or Info.
func Log(level int, msg string) { logLine(uint32(level), ptr(msg), uint32(len(msg))) }

// SetPath sets the path forwarded to the target (request phase).
func SetPath(p string) { setPath(ptr(p), uint32(len(p))) }

// SetRequestHeader sets a header sent to the target (request phase).
func SetRequestHeader(name, value string) {
	setRequestHeader(ptr(name), uint32(len(name)), ptr(value), uint32(len(value)))
}

// RemoveRequestHeader removes a header before the target sees it.
func RemoveRequestHeader(name string) { removeRequestHeader(ptr(name), uint32(len(name))) }

// SetResponseHeader sets a header sent to the client.
func SetResponseHeader(name, value string) {
	setResponseHeader(ptr(name), uint32(len(name)), ptr(value), uint32(len(value)))
}

// RemoveResponseHeader removes a header before the client sees it.
func RemoveResponseHeader(name string) { removeResponseHeader(ptr(name), uint32(len(name))) }
