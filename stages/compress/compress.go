// Package compress is the compression stage: with `compression = true`,
// every route's answers are encoded as br, gzip or deflate (zlib), as the
// client's Accept-Encoding prefers, while they stream: nothing is
// buffered, and a flush from upstream (server-sent events) flushes the
// encoder, so the client gets each event as it was sent.
//
// The stage wraps the response writer it is given and puts its own in
// x.Response for the stages after it; the decision to encode is taken at
// the response head (shouldCompress), so a small, already encoded or
// incompressible answer passes through untouched. It also holds the
// Accept-Encoding negotiation that the static stage uses for its
// precompressed siblings.
package compress

import (
	"bytes"
	"sync"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// Build gives every route the stage when the manifest says
// `compression = true`.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	if !b.Manifest.Mothership.Compression {
		return nil, nil
	}
	return stage{}, nil
}

// stage is the compression stage; its state is the process's encoder
// pools.
type stage struct{}

var writers = sync.Pool{New: func() any { return new(writer) }}

// Serve picks the coding from the request and, when it is not identity,
// puts an encoding writer over the response for the stages after it.
func (stage) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	if x.Method == "HEAD" || x.Header.Has("Upgrade") {
		next.Serve(x)
		return
	}
	enc := Negotiate(&x.Header, All)
	if enc == Identity {
		next.Serve(x)
		return
	}
	w := writers.Get().(*writer)
	*w = writer{under: x.Response, enc: enc}
	x.Response = w
	next.Serve(x)
	// The writer is put back before the stages before this one go on with
	// the response, and before w is pooled.
	x.Response = w.under
	w.finish()
	*w = writer{}
	writers.Put(w)
}

// writer decides at the response head whether to encode, then encodes
// the body through a pooled encoder.
type writer struct {
	under   pipeline.ResponseWriter
	enc     Encoding
	w       encoder // nil: passing through
	decided bool
	failed  error
}

// Header is the response's field list.
func (w *writer) Header() *pipeline.Header { return w.under.Header() }

// Status is the final status written.
func (w *writer) Status() int { return w.under.Status() }

// Written counts the encoded bytes, those the client gets.
func (w *writer) Written() int64 { return w.under.Written() }

// WriteHeader decides on the final head whether to encode, and edits the
// head to say so: no Content-Length (the engine frames the encoded body),
// no Accept-Ranges, the coding, Vary, and a weak ETag, since the encoded
// bytes are not the ones the strong validator named.
func (w *writer) WriteHeader(code int) {
	if w.decided || code < 200 {
		w.under.WriteHeader(code) // 1xx heads are interim
		return
	}
	w.decided = true
	h := w.under.Header()
	if shouldCompress(code, h) {
		h.Del("Content-Length")
		h.Del("Accept-Ranges")
		h.Set("Content-Encoding", w.enc.String())
		AddVary(h)
		if etag := h.Get("Etag"); etag != "" && !(len(etag) > 2 && etag[:2] == "W/") {
			h.Set("Etag", "W/"+etag)
		}
		w.w = pools[w.enc].get(w.under)
	}
	w.under.WriteHeader(code)
}

// Write encodes body bytes, or passes them through.
func (w *writer) Write(p []byte) (int, error) {
	if !w.decided {
		w.WriteHeader(200)
	}
	if w.w == nil {
		return w.under.Write(p)
	}
	if w.failed != nil {
		return 0, w.failed
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.failed = err
	}
	return n, err
}

// Flush flushes what the encoder holds, then the connection: a flush
// upstream is a flush to the client.
func (w *writer) Flush() error {
	if !w.decided {
		w.WriteHeader(200)
	}
	if w.w != nil && w.failed == nil {
		if err := w.w.Flush(); err != nil {
			w.failed = err
			return err
		}
	}
	return w.under.Flush()
}

// finish ends the encoded stream and pools the encoder.
func (w *writer) finish() {
	if w.w == nil {
		return
	}
	if w.failed == nil {
		w.failed = w.w.Close()
	}
	pools[w.enc].put(w.w, w.failed == nil)
	w.w = nil
}

// Encode returns src encoded in enc (not Identity) through a pooled
// encoder: for a whole body known up front, such as a static file that is
// then kept encoded.
func Encode(enc Encoding, src []byte) ([]byte, error) {
	var buf bytes.Buffer
	e := pools[enc].get(&buf)
	_, err := e.Write(src)
	if err == nil {
		err = e.Close()
	}
	pools[enc].put(e, err == nil)
	return buf.Bytes(), err
}
