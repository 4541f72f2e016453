package wasm

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Observer counts one module's calls. Its method is called on the request
// path and must not allocate.
type Observer interface {
	// Call records one call: how long it took, whether it blocked the
	// request, and why it failed (a trap, a timeout, a malformed call;
	// nil when it did not).
	Call(d time.Duration, blocked bool, err error)
}

// Observers is what a pipeline.Observer implements to count modules too:
// the set calls WasmModule once per module.
type Observers interface {
	WasmModule(name string) Observer
}

type nopObserver struct{}

func (nopObserver) Call(time.Duration, bool, error) {}

// answerFailed is the answer on_error = "block" gives.
var answerFailed = pipeline.NewAnswer(http.StatusInternalServerError, "500 internal error: a module failed on this request")

// setKey keeps the server's compiled modules in pipeline.Build.Shared.
type setKey struct{}

// Build gives every route the manifest's modules, when it has any; each
// module picks its requests by path as they come. The modules are
// compiled once per server and closed when it drains.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	if len(b.Manifest.Modules) == 0 {
		return nil, nil
	}
	v, err := b.Shared(setKey{}, func() (any, error) {
		s, probs := Compile(context.Background(), b.Manifest, Logs{Events: b.Events, Debug: b.Debug, ErrorLog: b.ErrorLog})
		if probs != nil {
			return nil, probs
		}
		if o, ok := b.Observer.(Observers); ok {
			for _, mod := range s.mods {
				mod.obs = o.WasmModule(mod.name)
			}
		}
		b.OnDrain(func(ctx context.Context) { s.Close(ctx) })
		return newStage(s), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*stage), nil
}

// stage runs the modules of its phase on the requests they match.
type stage struct {
	request, response []*module
}

func newStage(s *Set) *stage {
	st := &stage{}
	for _, mod := range s.mods {
		if mod.phase == phaseResponse {
			st.response = append(st.response, mod)
		} else {
			st.request = append(st.request, mod)
		}
	}
	return st
}

// calls pools the per-call state and its buffers.
var calls = sync.Pool{New: func() any { return new(call) }}

// writers pools the response-phase writers.
var writers = sync.Pool{New: func() any { return new(writer) }}

// Serve runs the request-phase modules (and http-wasm handle_request),
// answering at once when one blocks, then the rest of the pipeline with
// the response-phase modules (and handle_response) over its answer.
func (s *stage) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	path := x.Path // the routing tree's path, whatever a module rewrites
	var w *writer
	if len(s.request) > 0 && s.requestPhase(x, path, &w) {
		if w != nil {
			w.finish()
			w.free()
		}
		return
	}
	for _, mod := range s.response {
		if mod.applies(path) {
			w = s.writerFor(x, w)
			w.mods = append(w.mods, mod)
		}
	}
	if w == nil {
		next.Serve(x)
		return
	}
	x.Response = w
	next.Serve(x)
	x.Response = w.under
	w.finish()
	w.free()
}

// requestPhase runs the request-phase modules in order and reports
// whether one answered. An http-wasm module that passes the request on
// leaves a hook in *w, which later answers go through.
func (s *stage) requestPhase(x *pipeline.Exchange, path string, w **writer) bool {
	c := calls.Get().(*call)
	defer func() { c.reset(); calls.Put(c) }()
	for _, mod := range s.request {
		if !mod.applies(path) {
			continue
		}
		var out pipeline.ResponseWriter = x.Response
		if *w != nil {
			out = *w
		}
		if mod.abi == httpWasmABI {
			h, answered := mod.handleRequest(x, out)
			if h != nil {
				*w = s.writerFor(x, *w)
				(*w).hooks = append((*w).hooks, h)
				(*w).buffer = (*w).buffer || h.buffers()
			}
			if answered {
				return true
			}
			continue
		}
		if mod.serve(c, x, out, phaseRequest, 0) {
			return true
		}
	}
	return false
}

// writerFor returns w, or a pooled writer over x's when w is nil.
func (s *stage) writerFor(x *pipeline.Exchange, w *writer) *writer {
	if w != nil {
		return w
	}
	w = writers.Get().(*writer)
	w.under, w.x = x.Response, x
	return w
}

// serve calls the module on x and reports whether it answered: a block,
// or a failure with on_error = "block". w is the writer an answer goes
// to; status is the response's in the response phase.
func (mod *module) serve(c *call, x *pipeline.Exchange, w pipeline.ResponseWriter, ph phase, status int) bool {
	c.mod, c.x, c.w, c.phase, c.status = mod, x, w, ph, status
	c.jsonDone, c.action, c.err, c.blockStatus = false, actionContinue, nil, 0
	c.body, c.headers = c.body[:0], c.headers[:0]
	start := time.Now()
	err := mod.call(c)
	blocked := err == nil && c.action == actionBlock
	mod.obs.Call(time.Since(start), blocked, err)
	switch {
	case err != nil:
		return mod.onError(err, w, ph == phaseResponse)
	case blocked:
		c.writeBlock(w, ph)
		return true
	}
	return false
}

// onError logs a failed call and answers as on_error says; it reports
// whether it answered. In the response phase the target's head is
// dropped first.
func (mod *module) onError(err error, w pipeline.ResponseWriter, response bool) bool {
	mod.logError(err)
	if !mod.block {
		return false
	}
	if response {
		w.Header().Reset()
	}
	answerFailed.Write(w)
	return true
}

// call runs the module's entry on a pooled instance.
func (mod *module) call(c *call) error {
	in, err := mod.pool.get()
	if err != nil {
		return err
	}
	ok, err := in.run(c, mod.timeout, in.entry, nil)
	if ok {
		mod.pool.put(in)
	} else {
		mod.pool.discard(in)
	}
	return err
}

// defaultBlock is the status of set_action(1) without set_block.
const defaultBlock = http.StatusForbidden

// writeBlock answers with the block the guest asked for. In the response
// phase the target's head is dropped first.
func (c *call) writeBlock(w pipeline.ResponseWriter, ph phase) {
	h := w.Header()
	if ph == phaseResponse {
		h.Reset()
	}
	status := c.blockStatus
	if status == 0 {
		status = defaultBlock
	}
	for _, f := range c.headers {
		h.Set(f.Name, f.Value)
	}
	if len(c.body) > 0 && !h.Has("Content-Type") {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	h.Set("Content-Length", strconv.Itoa(len(c.body)))
	w.WriteHeader(status)
	if len(c.body) > 0 {
		_, _ = w.Write(c.body)
	}
}

// reset clears what points into the exchange, keeping the buffers.
func (c *call) reset() {
	clear(c.headers)
	*c = call{json: c.json[:0], body: c.body[:0], headers: c.headers[:0],
		scratch: c.scratch[:0], reqOut: c.reqOut[:0], respOut: c.respOut[:0]}
}
