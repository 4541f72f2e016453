package pipeline

// Releaser is something a stage lent to an exchange until it ends: an
// upstream connection whose buffer the response fields point into, say.
type Releaser interface {
	// Release returns the resource; the exchange is over.
	Release()
}

// maxReleasers is how many resources one exchange may hold at its end.
const maxReleasers = 4

// AtEnd asks for r.Release to run when the exchange ends, after every
// stage returned (stages on the way back still read the response fields).
// Beyond maxReleasers, r is released at once: a pipeline that lends more
// is a bug, and holding nothing longer than asked is the safe side.
func (x *Exchange) AtEnd(r Releaser) {
	if x.nrel == maxReleasers {
		r.Release()
		return
	}
	x.releasers[x.nrel] = r
	x.nrel++
}

// End releases what stages lent to the exchange, in reverse order. The
// engine calls it once the pipeline returned and the answer is complete.
// The request id is forgotten with them: the next request gets its own.
func (x *Exchange) End() {
	x.id = nil
	for i := x.nrel - 1; i >= 0; i-- {
		x.releasers[i].Release()
		x.releasers[i] = nil
	}
	x.nrel = 0
}
