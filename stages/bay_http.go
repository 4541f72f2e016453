package stages

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mothership-go/mothership/docking"
)

// errBayTimeout is the cause of a request that outlived request_timeout.
var errBayTimeout = errors.New("request_timeout passed")

var (
	answerBodyTooLarge = newPlainAnswer(http.StatusRequestEntityTooLarge, "413 request body too large: a bay takes at most 1 GiB")
	answerBadBody      = newPlainAnswer(http.StatusBadRequest, "400 bad request: the request body could not be read")
)

// bayHTTP forwards an exchange over a link of an HTTP bay's pool: the body
// is read whole first, then a link is claimed for the Hail, the body's
// Hauls, the Reply and its body. request_timeout bounds the wait for the
// Reply's head: past it the client gets 504, and the worker stuck on the
// request is recycled. A streamed body may then take as long as it likes,
// as long as no gap between its chunks is longer (server-sent events keep
// a stream open for hours).
type bayHTTP struct {
	berth    *docking.Berth
	edit     pathEdit
	add      []headerValue
	timeout  time.Duration
	recycle  func(bay string, pid int)
	software string
	buffers  *bufferPool
	errorLog *log.Logger
	name     string // which route an error-log line is about
}

func (s *bayHTTP) Serve(x *Exchange, _ Handler) {
	w, req := x.std.forwarding()
	body, err := spool(x.Body, req.ContentLength)
	if err != nil {
		if x.ctx.Err() != nil {
			x.std.clientGone()
		} else if errors.Is(err, errBodyTooLarge) {
			answerBodyTooLarge.write(x.Response)
		} else {
			answerBadBody.write(x.Response)
		}
		return
	}
	defer body.release()
	ctx, cancel := context.WithTimeoutCause(x.ctx, s.timeout, errBayTimeout)
	defer cancel()
	for retried := false; ; retried = true {
		claim, err := s.berth.Claim(ctx)
		if err != nil {
			s.fail(ctx, x, nil, err)
			return
		}
		// The link's reads and writes block: closing it is how the time
		// limit and a client that left reach them, until the Reply's head is in.
		stop := context.AfterFunc(ctx, claim.Interrupter())
		tunnel, err := s.exchange(claim, x, w, req, body, stop)
		stop()
		switch {
		case tunnel:
			claim.Abandon() // a tunnel ends with its link
		case err == nil:
			if err = claim.Finish(); err != nil {
				s.errorLog.Printf("stages: %s: after the response: %v", s.name, err)
			}
		case !retried && retryable(ctx, x, req):
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
// another: it is idempotent (RFC 9110, 9.2.2), nothing of the answer has
// been written, and neither the time limit nor the client has ended it.
func retryable(ctx context.Context, x *Exchange, req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return ctx.Err() == nil && !x.std.answered()
	}
	return false
}

// fail answers what went wrong with a claim (nil when none was had), then
// lets go of its link: 504 and a recycled worker after request_timeout, 502
// when the bay is not docked or broke the exchange, nothing for a client
// that left or once the answer has begun.
func (s *bayHTTP) fail(ctx context.Context, x *Exchange, claim *docking.Claim, err error) {
	timedOut := context.Cause(ctx) == errBayTimeout
	if claim != nil {
		if timedOut && claim.PID() > 0 && s.recycle != nil {
			s.recycle(s.berth.Name(), claim.PID())
		}
		claim.Abandon()
	}
	switch {
	case x.ctx.Err() != nil:
		x.std.clientGone()
		return
	case x.std.answered():
		s.errorLog.Printf("stages: %s: response cut short: %v", s.name, err)
		// As ReverseProxy does: the client must see a broken response,
		// not a short one that looks whole.
		panic(http.ErrAbortHandler)
	case timedOut:
		answerTimeout.write(x.Response)
	case errors.Is(err, docking.ErrNotDocked):
		answerBayUnreachable(x.Response, err)
	default:
		s.errorLog.Printf("stages: %s: %v", s.name, err)
		answerBadGateway.write(x.Response)
	}
}

// errInterrupted is an exchange whose link was closed under it, by the time
// limit or a client that left, just as its Reply arrived.
var errInterrupted = errors.New("interrupted")

// exchange sends the request over the claimed link and writes the answer;
// it reports whether the answer became a tunnel, which has taken the
// connection and the link. Once the Reply is in, it calls stop: from then
// on, the time limit is on the gaps between chunks.
func (s *bayHTTP) exchange(claim *docking.Claim, x *Exchange, w http.ResponseWriter, req *http.Request, body *spooledBody, stop func() bool) (tunnel bool, err error) {
	s.hail(claim.StartHail(uint64(body.n)), x, req, body.n)
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
	h := w.Header()
	for _, p := range reply.Headers {
		// The bay's bytes go into the client's response head: a name that
		// is not a token, or a value with a line break, could forge one.
		if !validHeaderName(p.Name) || !validHeaderValue(p.Value) {
			s.errorLog.Printf("stages: %s: dropped a malformed reply header %q", s.name, p.Name)
			continue
		}
		name := textproto.CanonicalMIMEHeaderKey(string(p.Name))
		if hopByHop(name) && reply.Kind != docking.ReplyTunnel {
			continue
		}
		h[name] = append(h[name], string(p.Value))
	}
	status := int(reply.Status)
	switch reply.Kind {
	case docking.ReplyEmpty:
		w.WriteHeader(status)
		return false, nil
	case docking.ReplyFile:
		return false, s.serveFile(w, req, status, string(reply.Path))
	case docking.ReplyTunnel:
		// A tunnel lives as long as its two ends: no time limit.
		claim.SetIdleTimeout(0)
		return true, s.tunnel(claim, w, status)
	}
	w.WriteHeader(status)
	return false, s.stream(w, claim.Body())
}

// hail adds the request's CGI params: what Rack and the HTTP bay expect,
// the headers as HTTP_*, and the forwarding headers forward would set.
func (s *bayHTTP) hail(hb *docking.HailBuilder, x *Exchange, req *http.Request, n int64) {
	path, _ := s.edit.paths(x.Path, x.RawPath)
	host, port := hostPort(x.Host)
	hb.Param("REQUEST_METHOD", x.Method)
	hb.Param("SCRIPT_NAME", "")
	hb.Param("PATH_INFO", path)
	hb.Param("QUERY_STRING", x.RawQuery)
	hb.Param("SERVER_NAME", host)
	hb.Param("SERVER_PORT", port)
	hb.Param("SERVER_PROTOCOL", x.Proto)
	hb.Param("SERVER_SOFTWARE", s.software)
	if x.Client.IsValid() {
		hb.Param("REMOTE_ADDR", x.Client.String())
	}
	if ct := x.Header["Content-Type"]; len(ct) > 0 {
		hb.Param("CONTENT_TYPE", ct[0])
	}
	if n > 0 || req.ContentLength == 0 {
		hb.Param("CONTENT_LENGTH", strconv.FormatInt(n, 10))
	}
	hb.HeaderParam("Host", x.Host)
	out := make(http.Header, len(x.Header)+4)
	upgrade := len(x.Header["Upgrade"]) > 0
	connection := x.Header["Connection"]
	for name, vs := range x.Header {
		// An upgrade keeps Upgrade and Connection: HTTP_UPGRADE is how the
		// bay knows it may answer with a tunnel.
		keep := upgrade && (name == "Upgrade" || name == "Connection")
		if name == "Content-Type" || name == "Content-Length" || !keep && (hopByHop(name) || namedIn(connection, name)) {
			continue
		}
		out[name] = vs
	}
	o := new(outgoing)
	setForwarded(out, x.Header, x, o)
	setRequestID(out, x.Header, o)
	for _, h := range s.add {
		out[h.name] = h.value[:1:1]
	}
	out["X-Request-Start"] = []string{"t=" + strconv.FormatInt(time.Now().UnixMicro(), 10)}
	for name, vs := range out {
		sep := ", "
		if name == "Cookie" {
			sep = "; "
		}
		hb.HeaderParam(name, strings.Join(vs, sep))
	}
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name []byte) bool {
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether value holds no control characters but
// tab (RFC 9110 §5.5): no CR, LF or NUL.
func validHeaderValue(value []byte) bool {
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// hostPort splits a Host header; without a port it is 80.
func hostPort(hostport string) (host, port string) {
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		return h, p
	}
	return hostport, "80"
}

// namedIn reports whether the Connection header values conn name the
// header name, making it hop-by-hop too (RFC 9110 §7.6.1).
func namedIn(conn []string, name string) bool {
	for _, v := range conn {
		for v != "" {
			var tok string
			tok, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(tok), name) {
				return true
			}
		}
	}
	return false
}

// hopByHop reports the headers of one connection only (RFC 9110 §7.6.1).
func hopByHop(name string) bool {
	switch name {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// stream copies a stream reply's body, flushing each chunk as it arrives,
// so that server-sent events reach the client one by one.
func (s *bayHTTP) stream(w http.ResponseWriter, body io.Reader) error {
	buf := s.buffers.Get()
	defer s.buffers.Put(buf)
	rc := http.NewResponseController(w)
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			rc.Flush()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// serveFile answers with the file the bay named, from disk (Range and
// conditional requests included).
func (s *bayHTTP) serveFile(w http.ResponseWriter, req *http.Request, status int, path string) error {
	if !filepath.IsAbs(path) {
		return fmt.Errorf("file reply with a relative path %q", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("file reply: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		return fmt.Errorf("file reply: %s is not a readable file", path)
	}
	if status != http.StatusOK {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
		w.WriteHeader(status)
		_, err := io.Copy(w, f)
		return err
	}
	http.ServeContent(w, req, "", fi.ModTime(), f)
	return nil
}

// tunnel turns the client's connection into a byte pipe to the bay after
// the Reply's head (101 for a WebSocket): each side's bytes go to the
// other until both have ended their direction.
func (s *bayHTTP) tunnel(claim *docking.Claim, w http.ResponseWriter, status int) error {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return errors.New("tunnel: the connection cannot be taken over")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return fmt.Errorf("tunnel: %w", err)
	}
	defer conn.Close()
	fmt.Fprintf(brw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	w.Header().Write(brw)
	brw.WriteString("\r\n")
	if err := brw.Flush(); err != nil {
		return fmt.Errorf("tunnel: %w", err)
	}
	toBay := make(chan error, 1)
	go func() { toBay <- s.tunnelToBay(claim, brw.Reader) }()
	_, err = io.Copy(conn, claim.Body())
	if cw, ok := conn.(interface{ CloseWrite() error }); ok && err == nil {
		cw.CloseWrite()
	} else {
		conn.Close()
	}
	if err2 := <-toBay; err == nil {
		err = err2
	}
	return err
}

// tunnelToBay sends the client's bytes to the bay until the client ends
// its direction, then ends the bay's with an empty FIN.
func (s *bayHTTP) tunnelToBay(claim *docking.Claim, client *bufio.Reader) error {
	buf := s.buffers.Get()
	defer s.buffers.Put(buf)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if werr := claim.TunnelWrite(buf[:n]); werr != nil {
				return werr
			}
		}
		if err != nil {
			return claim.TunnelClose()
		}
	}
}
