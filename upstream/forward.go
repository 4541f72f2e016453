package upstream

import (
	"context"
	"errors"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"log"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mothership-go/mothership/h1"
	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/pipeline"
)

// forward is the stage that sends a route's requests to its addresses.
type forward struct {
	balance  balancer
	edit     PathEdit
	policy   fieldpolicy.Policy
	read     time.Duration
	buffer   int
	errorLog *log.Logger
	name     string
	// pool is the upstream's name; "" for a ship.
	pool string
	// lastNoMember is when "no member" was last logged, in Unix ns.
	lastNoMember atomic.Int64
}

// Serve forwards x and relays the answer. A connection to a member that
// fails (nothing was sent) is counted against it, and the request is sent
// once to another member when its body can be sent again; so is one that
// failed before any byte of the answer and may be sent twice (idempotent,
// or unread by the member).
func (f *forward) Serve(x *pipeline.Exchange, _ pipeline.Handler) {
	t, mark, ok := f.admit(x)
	if !ok {
		return
	}
	lc := f.balance.strategy == leastConn
	if lc {
		t.inflight.Add(1)
	}
	defer func() {
		if lc {
			t.inflight.Add(-1)
		}
	}()
	var body requestBody
	defer body.release()
	if err := body.fill(x, f.buffer); err != nil {
		if errors.Is(err, pipeline.ErrBodyTooLarge) {
			pipeline.AnswerTooLarge.Write(x.Response)
			return
		}
		pipeline.AnswerBadBody.Write(x.Response)
		return
	}
	moved, fresh := false, false
	for attempt := 0; ; attempt++ {
		now := time.Now() // the attempt's clock, up to its first wait
		c, err := f.conn(x, t.pool, fresh, body.replayable() && idempotent(x.Method), now)
		fresh = true
		if err != nil {
			if x.Context().Err() == nil {
				t.member.connectFailed(err)
			}
			if !moved && body.replayable() && x.Context().Err() == nil && f.move(&t, &mark, lc) {
				moved, fresh = true, false
				continue // nothing was sent: once more, on another member
			}
			if f.retryHeld(x, t, &mark, err, attempt, true) {
				continue // the ship restarted: once more, on its next run
			}
			return
		}
		if !c.reused {
			t.member.connected()
			now = time.Now() // after the dial
		}
		err = f.exchange(x, c, &body, now)
		if err == nil {
			return
		}
		c.close()
		again := !c.got && body.replayable() && (idempotent(x.Method) || unread(err))
		if attempt == 0 && c.reused && again {
			t.pool.sawStale(now)
			continue // the pooled connection was stale: once more, on a new one
		}
		if again && !moved && f.move(&t, &mark, lc) {
			moved, fresh = true, false
			continue // the member died under the request: once more, on another
		}
		if f.retryHeld(x, t, &mark, err, attempt, again) {
			continue
		}
		return
	}
}

// move moves a request from *t to another member that takes traffic, and
// its least_conn count with it; false when there is none.
func (f *forward) move(t **target, mark *shipgate.Mark, lc bool) bool {
	o, om := f.balance.failover(*t)
	if o == nil {
		return false
	}
	if lc {
		(*t).inflight.Add(-1)
		o.inflight.Add(1)
	}
	*t, *mark = o, om
	return true
}

// conn takes a pooled connection, or dials one (always, on a retry);
// resendable is Pool.get's.
func (f *forward) conn(x *pipeline.Exchange, p *Pool, fresh, resendable bool, now time.Time) (*Conn, error) {
	if !fresh {
		if c := p.get(now, resendable); c != nil {
			return c, nil
		}
	}
	return p.dial(x.Context())
}

// exchange sends the request on c and relays the response; now is the
// clock, read just before. An error before the response head reached the
// client is for Serve to answer; after it, exchange cuts the client
// connection itself and returns nil.
func (f *forward) exchange(x *pipeline.Exchange, c *Conn, body *requestBody, now time.Time) error {
	c.got = false
	c.clock = now
	if err := f.send(x, c, body); err != nil {
		return err
	}
	if x.ContentLength != 0 {
		c.clock = time.Now() // sending a body may have waited
	}
	deadline := c.clock.Add(f.read)
	for {
		if err := c.readHead(deadline, x.Conn); err != nil {
			return err
		}
		st := c.resp.Status
		if st >= 200 || st == 101 {
			break
		}
		copyFields(x.Response.Header(), &c.resp.Header, false, false)
		x.Response.WriteHeader(st) // an interim answer (103 Early Hints, …)
	}
	if c.resp.Status == 101 {
		return f.tunnel(x, c)
	}
	return f.relay(x, c)
}

// fail answers a request whose forward failed before any answer began.
func (f *forward) fail(x *pipeline.Exchange, p *Pool, err error) {
	if errors.Is(err, errClientGone) {
		x.Conn.Abort()
		return
	}
	if errors.Is(err, pipeline.ErrBadBody) {
		pipeline.AnswerBadBody.Write(x.Response)
		return
	}
	if errors.Is(err, pipeline.ErrBodyTooLarge) {
		pipeline.AnswerTooLarge.Write(x.Response)
		return
	}
	f.errorLog.Printf("upstream: %s: forward to %s: %v", f.name, p.Addr(), err)
	if x.Response.Status() != 0 {
		x.Conn.Abort()
		return
	}
	if isTimeout(err) {
		pipeline.AnswerTimeout.Write(x.Response)
		return
	}
	pipeline.AnswerBadGateway.Write(x.Response)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// idempotent reports whether a request may be sent twice (RFC 9110 §9.2.2).
func idempotent(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// unread reports whether a failure proves the upstream never read the
// request: it reset the connection (it closed it with our bytes unread) or
// refused the write. Such a request may be sent again whatever its method.
func unread(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// badResponse wraps what the response parser refused, for the log.
func badResponse(err error) error {
	var he *h1.Error
	if errors.As(err, &he) {
		return errors.New("malformed response: " + he.Reason)
	}
	return err
}
