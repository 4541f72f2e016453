package pipeline

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

// chained is a stage bound to the rest of its pipeline: chaining once at
// compile time means the request path only makes interface calls, no
// closures and no slice walking.
type chained struct {
	stage Stage
	next  Handler
}

func (c *chained) Serve(x *Exchange) { c.stage.Serve(x, c.next) }

// Chain links the stages in order into one Handler; the last one's next
// is end. A route's last stage answers without calling next, so end is
// reached only by a pipeline compiled without one (Unanswered says so) or,
// for a fallback chain, when no stage answered (a 404).
func Chain(stages []Stage, end Handler) Handler {
	h := end
	for i := len(stages) - 1; i >= 0; i-- {
		h = &chained{stage: stages[i], next: h}
	}
	return h
}

// AnswerHandler is a Handler that writes a fixed answer.
type AnswerHandler struct{ Answer *Answer }

// Serve writes the answer.
func (a AnswerHandler) Serve(x *Exchange) { a.Answer.Write(x.Response) }

// Unanswered ends every route's pipeline: reaching it means no stage
// answered, which is a bug, so it says so with a 500.
var Unanswered Handler = AnswerHandler{AnswerUnanswered}
