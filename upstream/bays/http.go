package bays

import (
	"context"
	"errors"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"log"
	"net/http"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/upstream"
)

var (
	answerBadBody = pipeline.NewAnswer(http.StatusBadRequest, "400 bad request: the request body could not be read")
)

// httpBay forwards an exchange over a link of an HTTP bay's pool: the body
// is read whole first, then a link is claimed for the Hail, the body's
// Hauls, the Reply and its body. request_timeout bounds the wait for the
// Reply's head: past it the client gets 504, and the worker stuck on the
// request is recycled. A streamed body may then take as long as it likes,
// as long as no gap between its chunks is longer (server-sent events keep
// a stream open for hours).
type httpBay struct {
	berth    *docking.Berth
	edit     upstream.PathEdit
	policy   fieldpolicy.Policy
	maxBody  int64 // max_body_size: the spool's bound
	timeout  time.Duration
	recycle  func(bay string, pid int)
	software string
	errorLog *log.Logger
	name     string // which route an error-log line is about
}

func (s *httpBay) Serve(x *pipeline.Exchange, _ pipeline.Handler) {
	body, err := spool(x.Body, x.ContentLength, s.maxBody)
	if err != nil {
		switch {
		case errors.Is(err, pipeline.ErrBodyTooLarge):
			pipeline.AnswerTooLarge.Write(x.Response)
		case errors.Is(err, pipeline.ErrBadBody):
			answerBadBody.Write(x.Response)
		default: // the client left, or sent too slowly
			x.Conn.Abort()
		}
		return
	}
	defer body.release()
	ctx, cancel := context.WithCancelCause(x.Context())
	defer cancel(nil)
	w := watch(ctx, cancel, x.Conn, s.timeout)
	defer w.stop()
	for retried := false; ; retried = true {
		claim, err := s.berth.Claim(ctx)
		if err != nil {
			s.fail(ctx, x, nil, err)
			return
		}
		// The link's reads and writes block: closing it is how the time
		// limit and a client that left reach them, until the Reply's head is in.
		stop := context.AfterFunc(ctx, claim.Interrupter())
		tunnel, err := s.exchange(claim, x, body, func() bool { w.stop(); return stop() })
		stop()
		switch {
		case tunnel:
			claim.Abandon() // a tunnel ends with its link
		case err == nil:
			if err = claim.Finish(); err != nil {
				s.errorLog.Printf("bays: %s: after the response: %v", s.name, err)
			}
		case !retried && retryable(ctx, x):
			// The link broke before any answer: most likely the bay closed
			// it as idle (a draining generation does) just as the request
			// went out. An idempotent request gets one more link.
			claim.Abandon()
			continue
		default:
			s.fail(ctx, x, claim, err)
		}
		return
	}
}

// retryable reports whether a request whose link broke may go out again on
// another: it is idempotent (RFC 9110 §9.2.2), nothing of the answer has
// been written, and neither the time limit nor the client has ended it.
func retryable(ctx context.Context, x *pipeline.Exchange) bool {
	switch x.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return ctx.Err() == nil && x.Response.Status() == 0
	}
	return false
}

// fail answers what went wrong with a claim (nil when none was had), then
// lets go of its link: 504 and a recycled worker after request_timeout, 502
// when the bay is not docked or broke the exchange, nothing for a client
// that left, and a cut connection once the answer has begun.
func (s *httpBay) fail(ctx context.Context, x *pipeline.Exchange, claim *docking.Claim, err error) {
	cause := context.Cause(ctx)
	if claim != nil {
		if cause == errTimeout && claim.PID() > 0 && s.recycle != nil {
			s.recycle(s.berth.Name(), claim.PID())
		}
		claim.Abandon()
	}
	switch {
	case cause == errClientGone || x.Context().Err() != nil || x.Conn.ClientGone():
		x.Conn.Abort() // nobody to answer, and nothing to log
	case x.Response.Status() != 0:
		s.errorLog.Printf("bays: %s: response cut short: %v", s.name, err)
		// The client must see a broken response, not a short one that
		// looks whole.
		x.Conn.Abort()
	case cause == errTimeout:
		pipeline.AnswerTimeout.Write(x.Response)
	case errors.Is(err, docking.ErrNotDocked):
		pipeline.NewAnswer(http.StatusBadGateway, "502 bad gateway: "+err.Error()).Write(x.Response)
	default:
		s.errorLog.Printf("bays: %s: %v", s.name, err)
		pipeline.AnswerBadGateway.Write(x.Response)
	}
}

// errInterrupted is an exchange whose link was closed under it, by the time
// limit or a client that left, just as its Reply arrived.
var errInterrupted = errors.New("interrupted")

// exchange sends the request over the claimed link and writes the answer;
// it reports whether the answer became a tunnel, which has taken the
// connection and the link. Once the Reply is in, it calls stop: from then
// on, the time limit is on the gaps between chunks.
func (s *httpBay) exchange(claim *docking.Claim, x *pipeline.Exchange, body *spooledBody, stop func() bool) (tunnel bool, err error) {
	s.hail(claim.StartHail(uint64(body.n)), x, body.n)
	if err := claim.SendHail(); err != nil {
		return false, err
	}
	if err := claim.SendBody(body.reader(), body.n); err != nil {
		return false, err
	}
	reply, err := claim.ReadReply()
	if err != nil {
		return false, err
	}
	if !stop() {
		return false, errInterrupted // the link is closed: the Reply came too late
	}
	claim.SetIdleTimeout(s.timeout)
	s.replyFields(x.Response.Header(), reply)
	status := int(reply.Status)
	switch reply.Kind {
	case docking.ReplyEmpty:
		x.Response.WriteHeader(status)
		return false, nil
	case docking.ReplyFile:
		return false, serveFile(x, status, string(reply.Path))
	case docking.ReplyTunnel:
		// A tunnel lives as long as its two ends: no time limit.
		claim.SetIdleTimeout(0)
		return true, s.tunnel(claim, x, status)
	}
	x.Response.WriteHeader(status)
	return false, stream(x.Response, claim.Body())
}
