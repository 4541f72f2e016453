package bays

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/upstream"
)

// hail adds the request's CGI params: what Rack and the HTTP bay expect,
// the headers as HTTP_*, and the forwarding headers forward would set.
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
	if ff := upstream.AppendForwardedFor(nil, x); len(ff) > 0 {
		hb.HeaderParam("X-Forwarded-For", string(ff))
	}
	proto, fhost := upstream.ForwardedProtoHost(x)
	hb.HeaderParam("X-Forwarded-Proto", proto)
	hb.HeaderParam("X-Forwarded-Host", fhost)
	if x.Header.Get("X-Request-Id") == "" {
		id := upstream.NewRequestID()
		hb.HeaderParam("X-Request-Id", string(id[:]))
	}
	if fp := x.JA4H(); len(fp) > 0 {
		hb.HeaderParam("X-Ja4h", string(fp))
	}
	for _, a := range s.add {
		hb.HeaderParam(a.Name, a.Value)
	}
	hb.HeaderParam("X-Request-Start", "t="+strconv.FormatInt(time.Now().UnixMicro(), 10))
}

// headerParams adds the client's fields that go on as HTTP_* params, each
// name once: the values of a repeated field joined with ", " ("; " for
// Cookie), as CGI has one value per name.
func (s *httpBay) headerParams(hb *docking.HailBuilder, x *pipeline.Exchange) {
	h := &x.Header
	// An upgrade keeps Upgrade and Connection: HTTP_UPGRADE is how the bay
	// knows it may answer with a tunnel.
	upgrade := x.Upgrade != ""
	hasConn := h.Has("Connection")
	for i, f := range h.Fields() {
		keep := upgrade && (httpsyntax.EqualFold(f.Name, "upgrade") || httpsyntax.EqualFold(f.Name, "connection"))
		if !keep && (httpsyntax.IsHopByHop(f.Name) || hasConn && upstream.ConnectionNamed(h, f.Name)) || s.dropped(f, x.PeerTrusted) || h.Index(f.Name, 0) < i {
			continue
		}
		value := f.Value
		if h.Index(f.Name, i+1) > 0 {
			sep := ", "
			if httpsyntax.EqualFold(f.Name, "cookie") {
				sep = "; "
			}
			var vs []string
			for j := i; j >= 0; j = h.Index(f.Name, j+1) {
				vs = append(vs, h.Value(j))
			}
			value = strings.Join(vs, sep)
		}
		hb.HeaderParam(f.Name, value)
	}
}

// dropped reports whether a client field does not go to the bay as it is:
// those that are CGI params of their own (Content-Type, Content-Length,
// Host), those the engine answered (Expect), those set here (the
// forwarding ones, X-JA4H, the route's add_headers), an empty
// X-Request-Id, and Forwarded and X-Real-Ip from an untrusted peer.
func (s *httpBay) dropped(f pipeline.Field, trusted bool) bool {
	for _, name := range [...]string{"content-type", "content-length", "host", "expect", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-ja4h"} {
		if httpsyntax.EqualFold(f.Name, name) {
			return true
		}
	}
	switch {
	case httpsyntax.EqualFold(f.Name, "x-request-id"):
		return f.Value == ""
	case !trusted && (httpsyntax.EqualFold(f.Name, "forwarded") || httpsyntax.EqualFold(f.Name, "x-real-ip")):
		return true
	}
	for _, a := range s.add {
		if httpsyntax.EqualFoldBoth(a.Name, f.Name) {
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
