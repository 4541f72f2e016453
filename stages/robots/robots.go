// Package robots is the robots.txt stage: with `robots = "llm"`, a GET or
// HEAD of /robots.txt on any bind is answered with a robots.txt that
// disallows every AI crawler of the list behind the `llm` User-Agent
// class (useragent.LLMRobotsTxt), before any other stage: a crawler that a
// shield refuses must still be able to read that it is not welcome, and a
// static robots.txt or a ship's is not consulted. Other paths pass on.
package robots

import (
	"strconv"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/useragent"
)

// key keeps the server's one answer in pipeline.Build.Shared.
type key struct{}

// Build gives every route the stage when the manifest sets robots.
func Build(b *pipeline.Build, _ *routetree.Route) (pipeline.Stage, error) {
	return stageOf(b)
}

// Fallback gives requests that match no route the stage too.
func Fallback(b *pipeline.Build, _ *routetree.BindTree) (pipeline.Stage, error) {
	return stageOf(b)
}

func stageOf(b *pipeline.Build) (pipeline.Stage, error) {
	if b.Manifest.Mothership.Robots == "" {
		return nil, nil
	}
	v, err := b.Shared(key{}, func() (any, error) {
		body, err := useragent.LLMRobotsTxt()
		if err != nil {
			return nil, err
		}
		return &robots{body: body, length: strconv.Itoa(len(body))}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*robots), nil
}

// robots is the stage: the answer, built once.
type robots struct {
	body   []byte
	length string
}

// Serve answers /robots.txt, and passes anything else on.
func (r *robots) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	if x.Path != "/robots.txt" || (x.Method != "GET" && x.Method != "HEAD") {
		next.Serve(x)
		return
	}
	h := x.Response.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", r.length)
	h.Set("Cache-Control", "public, max-age=86400")
	x.Response.WriteHeader(200)
	x.Response.Write(r.body)
}
