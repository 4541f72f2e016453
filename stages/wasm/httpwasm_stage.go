package wasm

import (
	"strconv"
	"sync"
	"time"

	"github.com/tetratelabs/wazero/api"

	"github.com/mothership-go/mothership/pipeline"
)

// hook is an http-wasm module's hold on a request that handle_request
// passed on: the instance that must see handle_response (the guest keeps
// the request's state in it, under reqCtx) and the call's state.
type hook struct {
	mod    *module
	in     *instance
	c      *call
	reqCtx uint32
}

var hooks = sync.Pool{New: func() any { return new(hook) }}

// handleRequest calls handle_request. It returns the hook when the guest
// passed the request on (next=1), and whether the request was answered:
// by the guest (next=0), or with on_error's 500. out is where an answer
// goes.
func (mod *module) handleRequest(x *pipeline.Exchange, out pipeline.ResponseWriter) (*hook, bool) {
	c := calls.Get().(*call)
	c.mod, c.x, c.w, c.phase = mod, x, out, phaseRequest
	start := time.Now()
	in, err := mod.pool.get()
	if err != nil {
		mod.obs.Call(time.Since(start), false, err)
		c.reset()
		calls.Put(c)
		return nil, mod.onError(err, out, false)
	}
	c.features = in.features
	ok, err := in.run(c, mod.timeout, in.entry, in.stack[:1])
	result := in.stack[0]
	if err != nil {
		mod.obs.Call(time.Since(start), false, err)
		release(mod, in, c, ok)
		return nil, mod.onError(err, out, false)
	}
	c.finishRequestBody()
	if result&1 == 0 { // the guest answered
		mod.obs.Call(time.Since(start), true, nil)
		status := c.guestStatus
		if status == 0 {
			status = 200
		}
		writeWhole(out, status, c.respOut)
		release(mod, in, c, true)
		return nil, true
	}
	mod.obs.Call(time.Since(start), false, nil)
	h := hooks.Get().(*hook)
	*h = hook{mod: mod, in: in, c: c, reqCtx: uint32(result >> 32)}
	return h, false
}

// buffers reports whether the guest asked to see the whole response.
func (h *hook) buffers() bool { return h.c.features&featureBufferResponse != 0 }

// respond calls handle_response with the answer's status and, when it was
// buffered, its body; isError says no answer came. It gives back the
// instance and the call. The result is the status to send, the body the
// guest wrote instead of the target's (replaced), or that on_error's 500
// answered (answered).
func (h *hook) respond(w pipeline.ResponseWriter, status int, body []byte, isError bool) (newStatus int, newBody []byte, replaced, answered bool) {
	mod, in, c := h.mod, h.in, h.c
	c.phase, c.w, c.status, c.guestStatus = phaseResponse, w, status, 0
	c.respIn, c.respRead, c.respWritten, c.respOut = body, 0, false, c.respOut[:0]
	in.stack[0], in.stack[1] = api.EncodeU32(h.reqCtx), 0
	if isError {
		in.stack[1] = 1
	}
	start := time.Now()
	ok, err := in.run(c, mod.timeout, in.respond, in.stack[:2])
	mod.obs.Call(time.Since(start), false, err)
	newStatus, replaced = status, c.respWritten
	if c.guestStatus != 0 {
		newStatus = c.guestStatus
	}
	if replaced {
		newBody = append([]byte(nil), c.respOut...) // the call goes back to its pool
	}
	release(mod, in, c, ok)
	*h = hook{}
	hooks.Put(h)
	if err != nil {
		return status, nil, false, !isError && mod.onError(err, w, true)
	}
	return newStatus, newBody, replaced, false
}

// release gives back an instance (or discards it) and a call.
func release(mod *module, in *instance, c *call, reusable bool) {
	if reusable {
		mod.pool.put(in)
	} else {
		mod.pool.discard(in)
	}
	c.reset()
	calls.Put(c)
}

// writeWhole answers with status and body, framed by Content-Length.
func writeWhole(w pipeline.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}
