package wasm

import "github.com/mothership-go/mothership/pipeline"

// writer carries the answer's way back: when its final head is written,
// the http-wasm hooks' handle_response (the last module's first) and the
// response-phase modules run, before the head goes out; they edit its
// header list, its status, or replace the answer. When a hook asked for
// buffer_response, the whole answer is held until the pipeline returns
// (finish), so that handle_response can read and rewrite its body.
type writer struct {
	under   pipeline.ResponseWriter
	x       *pipeline.Exchange
	mods    []*module
	hooks   []*hook
	buffer  bool   // hold the answer until finish
	status  int    // the held answer's status
	body    []byte // the held answer's body
	decided bool
	dropped bool // the answer went out otherwise: the target's body goes nowhere
}

// Header is the response's field list.
func (w *writer) Header() *pipeline.Header { return w.under.Header() }

// Status is the final status written.
func (w *writer) Status() int {
	if w.buffer && !w.dropped {
		return w.status
	}
	return w.under.Status()
}

// Written counts the bytes the client got; a held answer counts once
// it went out.
func (w *writer) Written() int64 { return w.under.Written() }

// WriteHeader runs the modules on the final head, or holds it; 1xx
// heads pass.
func (w *writer) WriteHeader(status int) {
	if w.decided || status < 200 {
		if !w.dropped {
			w.under.WriteHeader(status)
		}
		return
	}
	w.decided = true
	if w.buffer {
		w.status = status
		return
	}
	w.head(status, nil, false)
}

// Write sends body bytes, holds them, or drops them after a module
// answered.
func (w *writer) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(200)
	}
	switch {
	case w.dropped:
		return len(p), nil
	case w.buffer:
		if len(w.body)+len(p) > maxBufferedBody {
			return 0, errBodyTooLarge
		}
		w.body = append(w.body, p...)
		return len(p), nil
	}
	return w.under.Write(p)
}

// Flush flushes the connection, once the head is out.
func (w *writer) Flush() error {
	if !w.decided {
		w.WriteHeader(200)
	}
	if w.dropped || w.buffer {
		return nil
	}
	return w.under.Flush()
}

// head runs the hooks and the response-phase modules on the answer's head
// and sends it; body is the whole body when held (or replaced by a hook),
// sent here with its length.
func (w *writer) head(status int, body []byte, whole bool) {
	replaced := false
	for len(w.hooks) > 0 {
		h := w.hooks[len(w.hooks)-1]
		w.hooks = w.hooks[:len(w.hooks)-1]
		st, b, r, answered := h.respond(w.under, status, body, false)
		if answered {
			w.dropped = true
			return
		}
		status = st
		if r {
			body, whole, replaced = b, true, true
		}
	}
	if len(w.mods) > 0 {
		c := calls.Get().(*call)
		defer func() { c.reset(); calls.Put(c) }()
		for _, mod := range w.mods {
			if mod.serve(c, w.x, w.under, phaseResponse, status) {
				w.dropped = true
				return
			}
		}
	}
	if whole && !(w.x.Method == "HEAD" && !replaced) {
		writeWhole(w.under, status, body)
		w.dropped = true
		return
	}
	w.under.WriteHeader(status) // a HEAD's Content-Length is the target's to say
}

// finish sends a held answer, and gives every hook that saw no answer its
// handle_response with is_error.
func (w *writer) finish() {
	if w.buffer && w.decided && !w.dropped {
		w.buffer = false
		w.head(w.status, w.body, true)
	}
	for len(w.hooks) > 0 {
		h := w.hooks[len(w.hooks)-1]
		w.hooks = w.hooks[:len(w.hooks)-1]
		h.respond(w.under, 0, nil, true)
	}
}

// free pools the writer; a large held body's buffer is let go.
func (w *writer) free() {
	clear(w.mods)
	clear(w.hooks)
	body := w.body[:0]
	if cap(body) > 64<<10 {
		body = nil
	}
	*w = writer{mods: w.mods[:0], hooks: w.hooks[:0], body: body}
	writers.Put(w)
}
