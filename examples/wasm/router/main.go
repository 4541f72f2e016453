//go:build wasip1

// Command router is an example http-wasm guest (abi = "http-wasm"): it
// calls the http_handler host functions of the http-wasm handler ABI
// directly, as guests built with the http-wasm SDKs do. It answers
// /hello itself, moves /old/... to /new/... before the target sees it,
// tells the target who routed it (X-Routed-By, from the config's `name`),
// and stamps every answer it passed on with X-Router-Status.
//
//	config = { name = "edge-router" }
//
// Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o router.wasm ./examples/wasm/router
package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"unsafe"
)

//go:wasmimport http_handler get_config
func getConfig(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler get_uri
func getURI(buf unsafe.Pointer, limit uint32) uint32

//go:wasmimport http_handler set_uri
func setURI(uri unsafe.Pointer, n uint32)

//go:wasmimport http_handler set_header_value
func setHeaderValue(kind uint32, name unsafe.Pointer, nameLen uint32, value unsafe.Pointer, valueLen uint32)

//go:wasmimport http_handler write_body
func writeBody(kind uint32, body unsafe.Pointer, n uint32)

//go:wasmimport http_handler set_status_code
func setStatusCode(status uint32)

//go:wasmimport http_handler get_status_code
func getStatusCode() uint32

const (
	request  = 0
	response = 1
)

func ptr(s string) unsafe.Pointer { return unsafe.Pointer(unsafe.StringData(s)) }

// read calls a getter twice: for the length, then for the bytes.
func read(get func(unsafe.Pointer, uint32) uint32) string {
	n := get(nil, 0)
	if n == 0 {
		return ""
	}
	b := make([]byte, n)
	get(unsafe.Pointer(&b[0]), n)
	return string(b)
}

func setHeader(kind uint32, name, value string) {
	setHeaderValue(kind, ptr(name), uint32(len(name)), ptr(value), uint32(len(value)))
}

var name string

// init runs when the instance starts: the config is read once there.
func init() {
	var cfg struct {
		Name string `json:"name"`
	}
	json.Unmarshal([]byte(read(getConfig)), &cfg)
	name = cfg.Name
}

//go:wasmexport handle_request
func handleRequest() int64 {
	uri := read(getURI)
	if uri == "/hello" {
		body := "hello from " + name + "\n"
		setHeader(response, "Content-Type", "text/plain; charset=utf-8")
		writeBody(response, ptr(body), uint32(len(body)))
		setStatusCode(200)
		return 0 // answered: the target never sees it
	}
	if rest, ok := strings.CutPrefix(uri, "/old/"); ok {
		uri = "/new/" + rest
		setURI(ptr(uri), uint32(len(uri)))
	}
	setHeader(request, "X-Routed-By", name)
	return 1 // on to the target; handle_response follows
}

//go:wasmexport handle_response
func handleResponse(reqCtx int32, isError int32) {
	if isError == 0 {
		setHeader(response, "X-Router-Status", strconv.Itoa(int(getStatusCode())))
	}
}

func main() {}
