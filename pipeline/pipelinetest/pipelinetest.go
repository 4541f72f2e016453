// Package pipelinetest helps test stages without an engine: a Recorder
// that is a pipeline.ResponseWriter keeping what was written, and End, a
// handler that answers as a backend would.
package pipelinetest

import "github.com/mothership-go/mothership/pipeline"

// Recorder records an answer. Reset readies it for the next one without
// allocating once its buffers have grown.
type Recorder struct {
	header pipeline.Header
	// Code is the final status written (101 included, which the engine
	// treats as final too), 0 until then.
	Code int
	// Body is what was written.
	Body []byte
}

// Header is the response's field list.
func (r *Recorder) Header() *pipeline.Header { return &r.header }

// WriteHeader records the first final status.
func (r *Recorder) WriteHeader(status int) {
	if r.Code == 0 && (status >= 200 || status == 101) {
		r.Code = status
	}
}

// Write records body bytes, and a 200 first if no status was written.
func (r *Recorder) Write(p []byte) (int, error) {
	r.WriteHeader(200)
	r.Body = append(r.Body, p...)
	return len(p), nil
}

// Flush does nothing: everything is recorded at once.
func (r *Recorder) Flush() error { return nil }

// Status is the final status written.
func (r *Recorder) Status() int { return r.Code }

// Written is the length of Body.
func (r *Recorder) Written() int64 { return int64(len(r.Body)) }

// Reset forgets the answer.
func (r *Recorder) Reset() {
	r.header.Reset()
	r.Code = 0
	r.Body = r.Body[:0]
}

// End answers 204, as a backend that has nothing to say: the end of a
// chain under test.
type End struct{}

// Serve answers 204.
func (End) Serve(x *pipeline.Exchange) { x.Response.WriteHeader(204) }
