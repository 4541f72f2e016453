package stages

// The raw request head, as the client sent it: net/http parses a head into
// a map, which loses the order and the case of the header names that JA4H
// is made of. So every accepted connection is wrapped in a headConn, which
// sees the bytes net/http reads and records each request head on the way.
//
// How heads are told from bodies: the headConn follows the HTTP/1.1
// framing of the byte stream itself (RFC 9112). A head ends at its blank
// line; its Content-Length or `Transfer-Encoding: chunked` says how many
// body bytes follow, which are skipped (chunked bodies are followed chunk
// by chunk, trailers included); the next head starts after them. net/http
// reads the stream in order and serves its requests one at a time, in
// order, each only once its head is read, so the n-th recorded head is the
// n-th request's: the engine takes the next recorded head as each request
// starts (next), whatever route it goes to, so that the two counts never
// part. Keep-alive and pipelining need nothing more: heads read ahead wait
// in the queue. When the framing is anything net/http would not serve on
// (a bad length, a transfer coding other than chunked, a queue over its
// bounds) or a request asks to upgrade (the rest of the stream may be
// WebSocket frames), recording stops for the rest of the connection and the
// later requests have no head: no fingerprint, never a wrong one.
//
// The wrapper sits outside the PROXY protocol listener, which strips the
// PROXY header before Read returns anything, so the first head recorded is
// the first request's. HTTP/2 is not served on these binds.

import (
	"bytes"
	"io"
	"net"
	"sync"
)

// headSlack is what the recording buffer holds beyond MaxHeaderBytes: net/http
// allows 4096 bytes more, and a pipelined request may be partly read ahead.
const headSlack = 8 << 10

// maxQueuedHeads bounds the heads read ahead of the request being served.
const maxQueuedHeads = 256

// headListener wraps its connections in headConns.
type headListener struct {
	net.Listener
	limit int
}

// recordHeads wraps the connections l accepts so that their request heads
// are recorded; a head with its body-less pipelined followers takes at most
// maxHeader+headSlack bytes.
func recordHeads(l net.Listener, maxHeader int) net.Listener {
	return &headListener{Listener: l, limit: maxHeader + headSlack}
}

func (l *headListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &headConn{Conn: c, limit: l.limit}, nil
}

// The states of a headConn's framing.
const (
	inHead      = iota // recording a head
	inBody             // skipping remain body bytes
	inChunkLine        // reading a chunk-size line
	inChunkData        // skipping remain chunk bytes
	inChunkEnd         // reading the CRLF after a chunk
	inTrailer          // reading trailer lines up to the blank one
	stopped            // not recording any more
)

// headConn is a connection whose request heads are recorded. Read runs on
// net/http's connection goroutine (and its background read while a handler
// runs); next and the stages run on the handler's.
type headConn struct {
	net.Conn
	limit int

	mu        sync.Mutex
	buf       []byte  // complete heads not yet served, then the one being read
	ends      []int32 // where each complete head ends in buf
	state     uint8
	lineStart int // where the line being read starts in buf
	reqLine   bool
	remain    uint64
	chunkExt  bool
	lineLen   int

	// Used by the handler's goroutine only.
	cur     []byte // the head of the request being served; empty if unknown
	fp      Fingerprinter
	ja4h    []byte // the fingerprint of cur, computed on demand
	ja4hOK  bool
	lastFP  string // the last fingerprint offered, and its header value
	lastVal []string
}

// headConnOf is the recorder of a connection net/http serves, if any.
func headConnOf(c net.Conn) *headConn {
	hc, _ := c.(*headConn)
	return hc
}

func (c *headConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if c.state != stopped {
			c.scan(p[:n])
		}
		c.mu.Unlock()
	}
	return n, err
}

// ReadFrom keeps the connection's own ReadFrom (sendfile, splice) for
// net/http's response writer.
func (c *headConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite keeps the half-close net/http uses on its way out.
func (c *headConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// next moves on to the next request: its head becomes current (or none, if
// it was not recorded). The engine calls it once per request, first thing.
func (c *headConn) next() {
	if c == nil {
		return
	}
	c.cur = c.cur[:0]
	c.ja4h, c.ja4hOK = nil, false
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.ends) == 0 {
		if c.state == stopped {
			c.buf = nil // nothing more will be recorded
		}
		return
	}
	end := int(c.ends[0])
	c.cur = append(c.cur, c.buf[:end]...)
	c.buf = c.buf[:copy(c.buf, c.buf[end:])]
	c.lineStart -= end
	for i := 1; i < len(c.ends); i++ {
		c.ends[i-1] = c.ends[i] - int32(end)
	}
	c.ends = c.ends[:len(c.ends)-1]
}

// head returns the current request's head, or nil when it is unknown.
func (c *headConn) head() []byte {
	if c == nil || len(c.cur) == 0 {
		return nil
	}
	return c.cur
}

// fingerprint returns the current request's JA4H, or nil when its head is
// unknown. It is computed once per request.
func (c *headConn) fingerprint() []byte {
	if c == nil {
		return nil
	}
	if !c.ja4hOK {
		c.ja4h, c.ja4hOK = c.fp.JA4H(c.head()), true
	}
	return c.ja4h
}

// headerValue is fp as a header value. A connection's requests mostly share
// a fingerprint, so the last one is kept and a repeat costs nothing.
func (c *headConn) headerValue(fp []byte) []string {
	if string(fp) != c.lastFP {
		c.lastFP = string(fp)
		c.lastVal = []string{c.lastFP}
	}
	return c.lastVal[:1:1]
}

func (c *headConn) stop() {
	c.state = stopped
	c.lineStart = 0
}

// scan follows the framing of the bytes p that were just read.
func (c *headConn) scan(p []byte) {
	for len(p) > 0 && c.state != stopped {
		switch c.state {
		case inHead:
			i := bytes.IndexByte(p, '\n')
			take := len(p)
			if i >= 0 {
				take = i + 1
			}
			if len(c.buf)+take > c.limit {
				c.stop()
				return
			}
			c.buf = append(c.buf, p[:take]...)
			p = p[take:]
			if i < 0 {
				return
			}
			start := c.lineStart
			c.lineStart = len(c.buf)
			if n := len(c.buf) - start; n > 2 || (n == 2 && c.buf[start] != '\r') {
				c.reqLine = true
				continue
			}
			if !c.reqLine { // a blank line before the request line
				c.buf = c.buf[:start]
				c.lineStart = start
				continue
			}
			from := 0
			if k := len(c.ends); k > 0 {
				from = int(c.ends[k-1])
			}
			if len(c.ends) == maxQueuedHeads {
				c.stop()
				return
			}
			c.ends = append(c.ends, int32(len(c.buf)))
			c.reqLine = false
			c.frame(c.buf[from:])
		case inBody, inChunkData:
			k := uint64(len(p))
			if k > c.remain {
				k = c.remain
			}
			p = p[k:]
			c.remain -= k
			if c.remain == 0 {
				if c.state == inBody {
					c.state = inHead
				} else {
					c.state = inChunkEnd
				}
			}
		default:
			b := p[0]
			p = p[1:]
			c.frameByte(b)
		}
	}
}

// frameByte reads one byte of a chunk-size line, a chunk's CRLF or a
// trailer, as net/http's chunked reader does.
func (c *headConn) frameByte(b byte) {
	switch c.state {
	case inChunkLine:
		if c.lineLen++; c.lineLen > 4096 {
			c.stop()
			return
		}
		switch {
		case b == '\n':
			switch {
			case c.lineLen == 1:
				c.stop()
			case c.remain == 0:
				c.state, c.lineLen = inTrailer, 0
			default:
				c.state = inChunkData
			}
		case b == '\r':
		case b == ';' || b == ' ' || b == '\t':
			c.chunkExt = true
		case c.chunkExt:
		case hexVal(b) >= 0 && c.remain < 1<<56:
			c.remain = c.remain<<4 | uint64(hexVal(b))
		default:
			c.stop()
		}
	case inChunkEnd:
		switch b {
		case '\r':
		case '\n':
			c.startChunk()
		default:
			c.stop()
		}
	case inTrailer:
		switch b {
		case '\r':
		case '\n':
			if c.lineLen == 0 {
				c.state = inHead
			}
			c.lineLen = 0
		default:
			if c.lineLen++; c.lineLen > 64<<10 {
				c.stop()
			}
		}
	}
}

func (c *headConn) startChunk() {
	c.state, c.remain, c.chunkExt, c.lineLen = inChunkLine, 0, false, 0
}

func hexVal(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}

// frame reads the framing of the complete head and sets what follows it.
func (c *headConn) frame(head []byte) {
	_, rest := cutLine(head)
	var length uint64
	lengthSet, chunked := false, false
	for len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case equalFold(name, "content-length"):
			n, ok := parseLength(value)
			if !ok || (lengthSet && n != length) {
				c.stop()
				return
			}
			length, lengthSet = n, true
		case equalFold(name, "transfer-encoding"):
			if chunked || !equalFold(value, "chunked") {
				c.stop()
				return
			}
			chunked = true
		case equalFold(name, "upgrade"):
			c.stop()
			return
		}
	}
	switch {
	case chunked:
		c.startChunk()
	case length > 0:
		c.state, c.remain = inBody, length
	default:
		c.state = inHead
	}
}

func parseLength(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n uint64
	for _, b := range v {
		if !isDigit(b) {
			return 0, false
		}
		n = n*10 + uint64(b-'0')
	}
	return n, true
}
