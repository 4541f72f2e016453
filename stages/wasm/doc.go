// Package wasm is the WASM stage: the `[[modules]]` of a manifest, run on
// wazero (pure Go, no cgo) between CORS and compression in every route's
// pipeline, as ../shared/spec/wasm.md fixes them.
//
// It owns compiling the modules (Compile, once per manifest: a file that
// is not WebAssembly, lacks its ABI's exports or imports what the host
// lacks is a problem with the module's line, which clearance prints as
// run does), the pool of instances of each (pool.go), the host side of
// the two ABIs (host.go and abi.go for the mothership ABI, with the
// exchange's JSON in request.go; httpwasm.go for http-wasm) and the stage
// itself (stage.go, writer.go): request-phase modules before the rest of
// the pipeline, response-phase ones when the answer's head is written.
//
// # Choices
//
//   - One wazero Runtime per module, since the memory limit is a runtime's
//     setting; one CompilationCache for the process, kept on disk
//     under the user's cache directory (cache.go), so that the check
//     clearance and run make, the server's build, a reload and the next
//     start compile a file once.
//   - An instance serves one call at a time and is reused until it fails:
//     a trap, a timeout or a malformed host call discards it. The pool of
//     each module grows with concurrency up to poolBound, then callers wait
//     (at most the module's timeout).
//   - Host functions find their call through the context the instance was
//     made with, and each instance's timeout is one timer that cancels that
//     context (wazero's WithCloseOnContextDone stops the guest), so that a
//     call allocates nothing on this side but what the guest asks for.
//   - Modules match on the path the routing tree saw, before any module
//     rewrote it, and run in declaration order.
//   - abi = "http-wasm" (httpwasm.go) is the http-wasm handler ABI written
//     from its text on wazero: handle_request, then handle_response on the
//     same instance, which stays out of the pool in between (the guest
//     keeps the request's state in it). buffer_response holds the whole
//     answer (8 MiB at most) until the pipeline returns; without it
//     handle_response runs on the head and may still replace the body.
//     Trailers are not supported.
package wasm
