package h2

import (
	"time"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// begin fills the exchange from the stream's head; false when the head is
// refused (answered already, or the stream reset).
func (st *stream) begin() bool {
	x := &st.x
	f := st.head
	st.head = nil
	x.Proto, x.ProtoMinor = pipeline.ProtoHTTP2, 0
	x.Scheme, x.Bind = st.c.cfg.Scheme, st.c.cfg.Bind
	x.Start = time.Now()
	x.Peer, x.PeerIP, x.PeerTrusted = st.c.cfg.Peer, st.c.cfg.PeerIP, st.c.cfg.PeerTrusted
	x.Body, x.Response, x.Conn = &st.body, &st.rw, st
	x.SetFingerprinter(&st.fp)
	if f.Truncated {
		pipeline.NewAnswer(431, "the request's header list is too large").Write(x.Response)
		return false
	}
	var scheme string
	for _, hf := range f.Fields {
		switch hf.Name {
		case ":method":
			x.Method = hf.Value
		case ":path":
			x.Target = hf.Value
		case ":authority":
			x.Host = hf.Value
		case ":scheme":
			scheme = hf.Value
		case "cookie":
			addCookie(&x.Header, hf.Value)
		default:
			if !hf.IsPseudo() {
				x.Header.Add(hf.Name, hf.Value)
			}
		}
	}
	if reason := st.check(scheme); reason != "" {
		pipeline.NewAnswer(400, reason).Write(x.Response)
		return false
	}
	return st.fill()
}

// addCookie adds a cookie field; the several that HTTP/2 allows are
// joined into the first one (RFC 9113 §8.2.3), which is what an
// HTTP/1.1 upstream expects.
func addCookie(h *pipeline.Header, v string) {
	if i := h.Index("cookie", 0); i >= 0 {
		h.Fields()[i].Value += "; " + v
		return
	}
	h.Add("cookie", v)
}

// check finds what makes a head malformed (RFC 9113 §8.2.2, §8.3.1), or "".
func (st *stream) check(scheme string) string {
	x := &st.x
	switch {
	case x.Method == "CONNECT":
		return "CONNECT is not served: this is not a forward proxy"
	case x.Method == "" || x.Target == "" || scheme == "":
		return "a request needs :method, :scheme and :path"
	case x.Target[0] != '/' && !(x.Target == "*" && x.Method == "OPTIONS"):
		return "the :path is not a path"
	}
	for _, f := range x.Header.Fields() {
		switch f.Name {
		case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
			return "HTTP/2 forbids the field " + f.Name
		case "te":
			if f.Value != "trailers" {
				return "HTTP/2 allows te only as trailers"
			}
		}
	}
	if x.Host == "" {
		x.Host = x.Header.Get("host")
	}
	return ""
}

// fill sets what follows from the fields: the path, the body's length,
// the client.
func (st *stream) fill() bool {
	x := &st.x
	if err := x.SplitTarget(); err != nil {
		pipeline.NewAnswer(400, err.Error()).Write(x.Response)
		return false
	}
	x.UserAgent = x.Header.Get("user-agent")
	x.ContentLength = -1
	if cl := x.Header.Get("content-length"); cl != "" {
		n, ok := httpsyntax.ParseUint(cl)
		if !ok || x.Header.Count("content-length") > 1 {
			pipeline.NewAnswer(400, "the content-length is malformed").Write(x.Response)
			return false
		}
		x.ContentLength = int64(n)
		st.body.declared = int64(n)
	}
	st.c.mu.Lock()
	if st.remoteDone && x.ContentLength < 0 {
		// The whole body came before the exchange began (a gRPC call's one
		// message, say): its length is known, and may well not be 0.
		x.ContentLength = st.body.got
	}
	st.c.mu.Unlock()
	st.rw.method = x.Method
	if st.c.cfg.Client != nil {
		x.Client = st.c.cfg.Client(&x.Header)
	} else {
		x.Client = x.Peer.Addr()
	}
	return true
}
