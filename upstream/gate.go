package upstream

import (
	"errors"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
)

// maxHolds bounds how many times one request waits for its ship's next
// run after a failed attempt: a ship that dies again at once is answered.
const maxHolds = 2

// The answers of a route whose ships are out of routing. A restarting
// ship is usually back within seconds; an unhealthy or stopped one takes
// longer.
var (
	answerRestarting = pipeline.NewAnswer(http.StatusServiceUnavailable, "503 service unavailable: the target is restarting; retry after the time in Retry-After")
	answerOut        = pipeline.NewAnswer(http.StatusServiceUnavailable, "503 service unavailable: the target is out of routing; retry after the time in Retry-After")
)

// admit picks the target of x. A member out of routing (its ship, or its
// health in the pool) is passed over for the next that is not; when none
// is, the request is held for the first member whose ship restarts
// (hold_on_restart), or answered 503: at once when nothing is held (no
// hold, a full queue, a ship that is down, every member of the pool down
// or ejected), else when the hold ends. With every member up this is two
// atomic loads.
func (f *forward) admit(x *pipeline.Exchange) (*target, shipgate.Mark, bool) {
	i := f.balance.pick(x.Client)
	if t, m := f.balance.usableFrom(i, nil); t != nil {
		return t, m, true
	}
	t := f.holder(i)
	if t == nil {
		f.noMember()
		unavailable(x, answerOut, "5")
		return nil, shipgate.Mark{}, false
	}
	switch v := t.gate.Await(x.Context(), shipgate.Mark{}); v {
	case shipgate.Ready:
		return t, t.gate.Mark(), true
	case shipgate.Gone:
		x.Conn.Abort()
	default:
		unavailable(x, answerRestarting, "1")
	}
	return nil, shipgate.Mark{}, false
}

// holder is the first target from i on whose member is healthy and whose
// ship restarts, so that requests may wait for it; nil when none.
func (f *forward) holder(i int) *target {
	n := len(f.balance.targets)
	for k := range n {
		if t := f.balance.targets[(i+k)%n]; t.member.available() && t.gate != nil && t.gate.Holds() {
			return t
		}
	}
	return nil
}

// noMember logs, at most once a second, that a pool has no member left.
func (f *forward) noMember() {
	if f.pool == "" {
		return
	}
	now := time.Now().UnixNano()
	last := f.lastNoMember.Load()
	if now-last < int64(time.Second) || !f.lastNoMember.CompareAndSwap(last, now) {
		return
	}
	f.errorLog.Printf("upstream: %s: no member of upstream %q takes traffic (down, ejected or out of routing); answering 503", f.name, f.pool)
}

// retryHeld handles a failed attempt on t: when nothing of the answer was
// sent, the attempt may be sent again (replay) and t's ship holds
// requests, it waits for the ship's next run and reports true to try
// again; otherwise it answers x and reports false.
func (f *forward) retryHeld(x *pipeline.Exchange, t *target, m *shipgate.Mark, err error, attempt int, replay bool) bool {
	if t.gate == nil || !replay || attempt >= maxHolds || x.Response.Status() != 0 ||
		errors.Is(err, errClientGone) || errors.Is(err, pipeline.ErrBadBody) || errors.Is(err, pipeline.ErrBodyTooLarge) ||
		t.gate.Hold() <= 0 {
		f.fail(x, t.pool, err)
		return false
	}
	v := t.gate.Await(x.Context(), *m)
	switch v {
	case shipgate.Ready:
		*m = t.gate.Mark()
		return true
	case shipgate.Gone:
		x.Conn.Abort()
		return false
	}
	f.errorLog.Printf("upstream: %s: forward to %s: %v; then %s", f.name, t.pool.Addr(), err, v)
	unavailable(x, answerRestarting, "1")
	return false
}

// unavailable answers 503 with Retry-After seconds.
func unavailable(x *pipeline.Exchange, a *pipeline.Answer, retryAfter string) {
	x.Response.Header().Set("Retry-After", retryAfter)
	a.Write(x.Response)
}

// gateAt is the gate of the ship at a, if Options know one.
func gateAt(opts Options, a manifest.Addr) *shipgate.Gate {
	if opts.Gate == nil {
		return nil
	}
	return opts.Gate(a)
}
