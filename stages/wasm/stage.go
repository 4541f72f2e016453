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
	// request, whether it failed (a trap, a timeout, a malformed call).
	Call(d time.Duration, blocked, failed bool)
}

// Observers is what a pipeline.Observer implements to count modules too:
// the set calls WasmModule once per module.
type Observers interface {
	WasmModule(name string) Observer
}

type nopObserver struct{}

func (nopObserver) Call(time.Duration, bool, bool) {}

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

// Serve runs the request-phase modules, answering at once when one
// blocks, then the rest of the pipeline with the response-phase modules
// over its answer's head.
func (s *stage) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	path := x.Path // the routing tree's path, whatever a module rewrites
	if len(s.request) > 0 {
		c := calls.Get().(*call)
		answered := false
		for _, mod := range s.request {
			if mod.applies(path) && mod.serve(c, x, x.Response, phaseRequest, 0) {
				answered = true
				break
			}
		}
		c.reset()
		calls.Put(c)
		if answered {
			return
		}
	}
	var w *writer
	for _, mod := range s.response {
		if mod.applies(path) {
			if w == nil {
				w = writers.Get().(*writer)
				w.under, w.x = x.Response, x
				x.Response = w
			}
			w.mods = append(w.mods, mod)
		}
	}
	next.Serve(x)
	if w != nil {
		x.Response = w.under
		clear(w.mods)
		*w = writer{mods: w.mods[:0]}
		writers.Put(w)
	}
}

// serve calls the module on x and reports whether it answered: a block,
// or a failure with on_error = "block". w is the writer an answer goes
// to; status is the response's in the response phase.
func (mod *module) serve(c *call, x *pipeline.Exchange, w pipeline.ResponseWriter, ph phase, status int) bool {
	c.mod, c.x, c.w, c.phase, c.status = mod, x, w, ph, status
	c.jsonDone, c.action, c.err, c.blockStatus = false, actionContinue, nil, 0
	c.body, c.headers = c.body[:0], c.headers[:0]
	start := time.Now()
	err := mod.call(x.Context(), c)
	blocked := err == nil && c.action == actionBlock
	mod.obs.Call(time.Since(start), blocked, err != nil)
	switch {
	case err != nil:
		mod.logError(err)
		if !mod.block {
			return false
		}
		if ph == phaseResponse {
			w.Header().Reset()
		}
		answerFailed.Write(w)
		return true
	case blocked:
		c.writeBlock(w, ph)
		return true
	}
	return false
}

// call runs the module's entry on a pooled instance.
func (mod *module) call(ctx context.Context, c *call) error {
	in, err := mod.pool.get(ctx)
	if err != nil {
		return err
	}
	ok, err := in.run(c, mod.timeout)
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
	*c = call{json: c.json[:0], body: c.body[:0], headers: c.headers[:0]}
}
