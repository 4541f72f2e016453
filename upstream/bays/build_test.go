package bays

import (
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
	"github.com/mothership-go/mothership/routetree"
	"github.com/mothership-go/mothership/upstream"
)

const buildManifest = `
[mothership.bind]
http = "127.0.0.1:8080"

[[mothership.upstreams]]
name = "outside"
protocol = "docking"
binds = ["unix:///tmp/outside.sock"]
routes = ["/out/*", "/also/*"]

[[mothership.upstreams]]
name = "web"
binds = ["127.0.0.1:9000"]
routes = ["/web/*"]

[[bays.websocket]]
name = "cable"
command = "cable"
routes = [{ pattern = "/cable" }, { pattern = "/cable2" }]

[[bays.http]]
name = "rack"
command = "rack"
request_timeout = "3s"
routes = [{ pattern = "/.*" }]
`

// TestBuilderPicksTheRoutesToBays: routes to bays and docking upstreams
// get this stage, others none; a docking upstream is attached once however
// many routes go to it, and a WebSocket bay says goodbye once.
func TestBuilderPicksTheRoutesToBays(t *testing.T) {
	m, err := manifest.Parse("test.toml", []byte(buildManifest), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	tree, err := routetree.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	b := &pipeline.Build{Manifest: m, Tree: tree, ErrorLog: discard}
	build := Builder(Options{Yard: NewYard(m, nil)})
	kinds := map[string]string{}
	var attached []*httpBay
	for _, r := range tree.Binds[0].Routes {
		st, err := build(b, r)
		if err != nil {
			t.Fatalf("%s: %v", r.Target, err)
		}
		switch s := st.(type) {
		case nil:
			kinds[r.Target.String()] = "none"
		case *httpBay:
			kinds[r.Target.String()] = "http bay " + s.timeout.String() + " " + s.software
			if s.berth.Name() == "outside" {
				attached = append(attached, s)
			}
		case *webSocketBay:
			kinds[r.Target.String()] = "websocket bay"
		default:
			kinds[r.Target.String()] = "other"
		}
	}
	want := map[string]string{
		(manifest.Target{Kind: manifest.TargetUpstream, Name: "outside"}).String(): "http bay 30s mothership",
		(manifest.Target{Kind: manifest.TargetUpstream, Name: "web"}).String():     "none",
		(manifest.Target{Kind: manifest.TargetBay, Name: "cable"}).String():        "websocket bay",
		(manifest.Target{Kind: manifest.TargetBay, Name: "rack"}).String():         "http bay 3s mothership",
	}
	for target, w := range want {
		if kinds[target] != w {
			t.Errorf("%s: %q, want %q", target, kinds[target], w)
		}
	}
	if len(attached) != 2 || attached[0].berth != attached[1].berth {
		t.Errorf("routes to the docking upstream: %d, sharing a berth: %v; want 2 sharing one", len(attached), len(attached) == 2 && attached[0].berth == attached[1].berth)
	}
	if n, d := len(b.Starts()), len(b.Drains()); n != 1 || d != 1 {
		t.Errorf("%d start jobs and %d drain jobs, want one attach and one goodbye", n, d)
	}

	// Without the fleet's yard, a route to a bay answers 502.
	b = &pipeline.Build{Manifest: m, Tree: tree, ErrorLog: discard}
	st, _ := Builder(Options{})(b, tree.Binds[0].Routes[len(tree.Binds[0].Routes)-1])
	rf, ok := st.(upstream.Refuse)
	if !ok {
		t.Fatalf("a bay without a yard: stage %T, want a refusal", st)
	}
	rec := &pipelinetest.Recorder{}
	rf.Serve(&pipeline.Exchange{Response: rec}, nil)
	if rec.Code != 502 || string(rec.Body) != "502 bad gateway: bay rack is not docked\n" {
		t.Errorf("a bay without a yard: %d %q", rec.Code, rec.Body)
	}
}
