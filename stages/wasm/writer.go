package wasm

import "github.com/mothership-go/mothership/pipeline"

// writer runs the response-phase modules when the answer's final head is
// written, before it goes out: they edit its header list, or replace the
// answer with a block (the target's body is then dropped).
type writer struct {
	under   pipeline.ResponseWriter
	x       *pipeline.Exchange
	mods    []*module
	decided bool
	dropped bool // a module answered instead: the target's body goes nowhere
}

// Header is the response's field list.
func (w *writer) Header() *pipeline.Header { return w.under.Header() }

// Status is the final status written.
func (w *writer) Status() int { return w.under.Status() }

// WriteHeader runs the modules on the final head; 1xx heads pass.
func (w *writer) WriteHeader(status int) {
	if w.decided || status < 200 {
		w.under.WriteHeader(status)
		return
	}
	w.decided = true
	c := calls.Get().(*call)
	defer func() { c.reset(); calls.Put(c) }()
	for _, mod := range w.mods {
		if mod.serve(c, w.x, w.under, phaseResponse, status) {
			w.dropped = true
			return
		}
	}
	w.under.WriteHeader(status)
}

// Write sends body bytes, or drops them after a module answered.
func (w *writer) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(200)
	}
	if w.dropped {
		return len(p), nil
	}
	return w.under.Write(p)
}

// Flush flushes the connection, once the head is decided.
func (w *writer) Flush() error {
	if !w.decided {
		w.WriteHeader(200)
	}
	if w.dropped {
		return nil
	}
	return w.under.Flush()
}
