package main

import "github.com/mothership-go/mothership/manifest"

// nothingToRun is the problem of a manifest that declares nothing to run or
// serve. The manifest package and the route compiler take such a file
// (README excerpts are read and charted alone), but `run` would have no
// listener and no process to keep it going, so the commands refuse it.
func nothingToRun(m *manifest.Manifest) (manifest.Problem, bool) {
	if len(m.Mothership.Binds) > 0 || len(m.Ships) > 0 || len(m.Bays) > 0 || len(m.Mothership.Prelaunch) > 0 {
		return manifest.Problem{}, false
	}
	how := `a bind ([mothership.bind] with http = "127.0.0.1:8080") and a ship ([[fleet.web]] with name and command)`
	if m.Dialect == manifest.DialectBlog {
		how = `a bind ([config] with bind = "127.0.0.1:8080") and a ship ([[ships]] with name and command)`
	}
	return manifest.Problem{File: m.File, Message: "the manifest declares nothing to run: no bind, ship, bay or prelaunch job; add " + how + ", or start from `mothership init`"}, true
}
