// Package limits is the first stage of every route: it holds a request to
// its route's max_body_size and max_header_count (manifest.RequestRules,
// a bind's overridden per route), so that no target, ship, upstream or bay,
// is reached by a request over them.
//
// # Choices
//
//   - More fields than max_header_count get 431 and a Content-Length over
//     max_body_size gets 413, before anything is dialled or spooled.
//   - A body of unknown length (chunked) is counted as it is read: past
//     max_body_size, Body returns pipeline.ErrBodyTooLarge, which the last
//     stage answers with 413 when it has not answered yet (bays spool the
//     body first, so they always can), and otherwise cuts the connection.
package limits

import (
	"io"
	"net/http"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

var answerTooManyFields = pipeline.NewAnswer(http.StatusRequestHeaderFieldsTooLarge, "431 request header fields too large: more fields than this route's max_header_count")

// Build gives every route its limits.
func Build(b *pipeline.Build, r *routetree.Route) (pipeline.Stage, error) {
	if b.Manifest == nil {
		return nil, nil
	}
	rules := b.Manifest.RulesOf(r.Bind, r.Source)
	return &limits{maxBody: rules.MaxBodySize, maxFields: rules.MaxHeaderCount}, nil
}

// limits is one route's stage.
type limits struct {
	maxBody   int64
	maxFields int
}

func (l *limits) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	switch {
	case x.Header.Len() > l.maxFields:
		answerTooManyFields.Write(x.Response)
		return
	case x.ContentLength > l.maxBody:
		pipeline.AnswerTooLarge.Write(x.Response)
		return
	case x.ContentLength < 0:
		x.Body = &counted{r: x.Body, left: l.maxBody}
	}
	next.Serve(x)
}

// counted is a body of unknown length with at most left bytes to go.
type counted struct {
	r    io.Reader
	left int64
}

func (c *counted) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, pipeline.ErrBodyTooLarge
	}
	return n, err
}
