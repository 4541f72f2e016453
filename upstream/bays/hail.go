package bays

import (
	"net"
	"strconv"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/internal/fieldpolicy"
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/upstream"
)

// hail adds the request's CGI params: what Rack and the HTTP bay expect,
// the client's headers as HTTP_*, and the fields we own, as the header
// policy says for every target.
func (s *httpBay) hail(hb *docking.HailBuilder, x *pipeline.Exchange, n int64) {
	host, port := hostPort(x.Host)
	hb.Param("REQUEST_METHOD", x.Method)
	hb.Param("SCRIPT_NAME", "")
	hb.Param("PATH_INFO", editedPath(s.edit, x.Path))
	hb.Param("QUERY_STRING", x.RawQuery)
	hb.Param("SERVER_NAME", host)
	hb.Param("SERVER_PORT", port)
	hb.Param("SERVER_PROTOCOL", x.Proto)
	hb.Param("SERVER_SOFTWARE", s.software)
	if x.Client.IsValid() {
		hb.Param("REMOTE_ADDR", x.Client.String())
	}
	if ct := x.Header.Get("Content-Type"); ct != "" {
		hb.Param("CONTENT_TYPE", ct)
	}
	if n > 0 || x.ContentLength == 0 {
		hb.Param("CONTENT_LENGTH", strconv.FormatInt(n, 10))
	}
	hb.HeaderParam("Host", x.Host)
	s.headerParams(hb, x)
	var scratch [128]byte
	s.policy.Owned(x, scratch[:0], func(name string, value []byte) {
		hb.HeaderParam(name, string(value))
	})
	for _, a := range s.policy.Add {
		hb.HeaderParam(a.Name, a.Value)
	}
}

// headerParams adds the client's fields that the header policy passes
// (internal/fieldpolicy), but Content-Type, a CGI param of its own, as
// HTTP_* params, each CGI name once: the values of fields whose names map
// to one CGI name (Accept twice, or X-Foo and X_Foo when underscores are
// kept) joined with ", " ("; " for Cookie), as CGI has one value per name.
func (s *httpBay) headerParams(hb *docking.HailBuilder, x *pipeline.Exchange) {
	eachParam(&s.policy, x, func(name, value string) {
		if !httpsyntax.EqualFold(name, "content-type") {
			hb.HeaderParam(name, value)
		}
	})
}

// eachParam calls add once for each CGI name among the client's fields
// that p passes, with the first field's name and the values of all of
// them joined.
func eachParam(p *fieldpolicy.Policy, x *pipeline.Exchange, add func(name, value string)) {
	fields := x.Header.Fields()
	for i, f := range fields {
		if !p.Passes(x, f.Name) || passedBefore(p, x, i) {
			continue
		}
		value := f.Value
		sep := ", "
		if httpsyntax.EqualFold(f.Name, "cookie") {
			sep = "; "
		}
		for _, g := range fields[i+1:] {
			if fieldpolicy.SameCGIName(f.Name, g.Name) && p.Passes(x, g.Name) {
				value += sep + g.Value
			}
		}
		add(f.Name, value)
	}
}

// passedBefore reports whether a field that p passes comes before field
// i with its CGI name: field i's value was joined to it.
func passedBefore(p *fieldpolicy.Policy, x *pipeline.Exchange, i int) bool {
	fields := x.Header.Fields()
	for _, f := range fields[:i] {
		if fieldpolicy.SameCGIName(f.Name, fields[i].Name) && p.Passes(x, f.Name) {
			return true
		}
	}
	return false
}

// editedPath is the decoded path p with the route's strip_prefix and
// rewrite applied.
func editedPath(e upstream.PathEdit, p string) string {
	if e.None() {
		return p
	}
	return string(e.AppendPath(nil, p))
}

// hostPort splits a Host header; without a port it is 80.
func hostPort(hostport string) (host, port string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	return hostport, "80"
}
