package stages

// Handler serves an exchange: what is left of a route's pipeline.
type Handler interface {
	// Serve answers x, by itself or through the stages after it.
	Serve(x *Exchange)
}

// Stage is one step of a route's pipeline. It either answers the exchange
// itself or passes it on with next.Serve(x); work on the response (CORS
// store, compression, WASM response hooks) is done after next.Serve
// returns, which runs it in the reverse order of the request phase.
type Stage interface {
	// Serve answers x or passes it to next.
	Serve(x *Exchange, next Handler)
}

// link is a stage bound to the rest of its pipeline: chaining once at
// compile time means the request path only makes interface calls, no
// closures and no slice walking.
type link struct {
	stage Stage
	next  Handler
}

func (l *link) Serve(x *Exchange) { l.stage.Serve(x, l.next) }

// chain links the stages in order; the last one's next answers 500, since
// reaching it means no stage answered.
func chain(stages []Stage) Handler {
	var h Handler = unanswered{}
	for i := len(stages) - 1; i >= 0; i-- {
		h = &link{stage: stages[i], next: h}
	}
	return h
}

// unanswered ends every pipeline. A route's last stage (forward, or refuse
// when its target cannot be reached) answers without calling next, so
// getting here means a pipeline was compiled without one.
type unanswered struct{}

func (unanswered) Serve(x *Exchange) { answerUnanswered.write(x.Response) }
