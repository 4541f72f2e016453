package fuzz

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/h1"
)

// h1Seeds are request heads and bodies: ordinary ones and the framing
// attacks of request-smuggling write-ups.
var h1Seeds = []string{
	"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /a?b HTTP/1.1\r\nHost: x:1\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"q\"\r\nabc\r\n0\r\nT: v\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
	"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello",
	"GET http://e.com/p HTTP/1.1\r\nHost: e.com\r\n\r\n",
	"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"\r\nGET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
}

// FuzzH1Request parses arbitrary bytes as a request head: no panic, a
// length within the input, and an accepted head parses the same again.
func FuzzH1Request(f *testing.F) {
	for _, s := range h1Seeds {
		f.Add([]byte(s))
	}
	var lim h1.Limits
	f.Fuzz(func(t *testing.T, in []byte) {
		var r, again h1.Request
		n, err := h1.ParseRequest(in, &lim, &r)
		if err != nil || n == 0 {
			return
		}
		if n > len(in) {
			t.Fatalf("head length %d past the input's %d", n, len(in))
		}
		if m, err := h1.ParseRequest(in[:n], &lim, &again); m != n || err != nil || again.Method != r.Method || again.Target != r.Target || again.Header.Len() != r.Header.Len() {
			t.Fatalf("the head alone parses differently: %d %v", m, err)
		}
	})
}

// FuzzH1Chunked decodes arbitrary bytes as a chunked body, whole and one
// byte at a time: the two agree on the data, the end and the refusal.
func FuzzH1Chunked(f *testing.F) {
	f.Add([]byte("3\r\nabc\r\n0\r\n\r\n"))
	f.Add([]byte("a;x=\"y\\\"z\"\r\n0123456789\r\n0\r\nT: 1\r\n\r\nrest"))
	f.Add([]byte("ffffffffffffffff\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d1, n1, e1 := chunkedAll(in, len(in)+1)
		d2, n2, e2 := chunkedAll(in, 1)
		if !bytes.Equal(d1, d2) || n1 != n2 || (e1 == nil) != (e2 == nil) {
			t.Fatalf("whole: %q %d %v; byte by byte: %q %d %v", d1, n1, e1, d2, n2, e2)
		}
	})
}

// chunkedAll decodes in, step bytes at a time: the data, the bytes used up
// to the end (-1 when it never ended) and the error.
func chunkedAll(in []byte, step int) ([]byte, int, error) {
	var c h1.Chunked
	var data []byte
	used := 0
	for used < len(in) {
		piece := in[used:min(used+step, len(in))]
		n, d, done, err := c.Decode(piece)
		if err != nil {
			return data, -1, err
		}
		data = append(data, d...)
		used += n
		if done {
			return data, used, nil
		}
	}
	return data, -1, nil
}

// FuzzH1Response parses arbitrary bytes as a response head: no panic, a
// length within the input, never both framings.
func FuzzH1Response(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
	f.Add([]byte("HTTP/1.1 204\r\n\r\n"))
	f.Add([]byte("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\nKeep-Alive: timeout=3\r\n\r\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var r h1.Response
		n, err := h1.ParseResponse(in, &r)
		if err != nil || n == 0 {
			return
		}
		if n > len(in) || r.Chunked && r.ContentLength >= 0 || r.Status < 100 || r.Status > 999 {
			t.Fatalf("n=%d of %d, chunked %v with length %d, status %d", n, len(in), r.Chunked, r.ContentLength, r.Status)
		}
	})
}

// FuzzH1RequestDifferential holds our parser against net/http's
// ReadRequest: whatever ours accepts, net/http accepts too, with the same
// method, target, fields and body bytes. Ours may refuse more, never less.
// Known, deliberate differences, skipped: an absolute-form target (ours
// cuts it to path and query), HTTP/1.x with x > 1, and empty lines before
// the request line (ours skips them, as RFC 9112 §2.2 asks; net/http
// refuses them), which are cut before net/http reads the head.
func FuzzH1RequestDifferential(f *testing.F) {
	for _, s := range h1Seeds {
		f.Add([]byte(s))
	}
	var lim h1.Limits
	f.Fuzz(func(t *testing.T, in []byte) {
		var r h1.Request
		n, err := h1.ParseRequest(in, &lim, &r)
		if err != nil || n == 0 || r.Method == "CONNECT" || r.Host != "" && !bytes.Contains(in[:n], []byte("\r\nHost:")) && !bytes.Contains(in[:n], []byte("\r\nhost:")) {
			return
		}
		for bytes.HasPrefix(in, []byte("\r\n")) {
			in, n = in[2:], n-2
		}
		if bytes.Contains(in[:bytes.IndexByte(in, '\n')], []byte("://")) || !bytes.Contains(in[:n], []byte(" HTTP/1.1\r\n")) && !bytes.Contains(in[:n], []byte(" HTTP/1.0\r\n")) {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatalf("ours accepts, net/http refuses (%v):\n%q", err, in[:n])
		}
		if req.Method != r.Method || req.RequestURI != r.Target {
			t.Fatalf("request line: net/http %q %q, ours %q %q", req.Method, req.RequestURI, r.Method, r.Target)
		}
		ours := map[string][]string{}
		for _, fl := range r.Header.Fields() {
			k := textproto.CanonicalMIMEHeaderKey(fl.Name)
			if k == "Host" || k == "Transfer-Encoding" {
				continue // net/http moves them to req.Host and req.TransferEncoding
			}
			if k == "Content-Length" && len(ours[k]) == 1 {
				continue // net/http keeps one of equal repeated lengths
			}
			ours[k] = append(ours[k], fl.Value)
		}
		for k, vs := range req.Header {
			if strings.Join(vs, "\x00") != strings.Join(ours[k], "\x00") {
				t.Fatalf("field %s: net/http %q, ours %q", k, vs, ours[k])
			}
		}
		if len(req.Header) != len(ours) {
			t.Fatalf("fields: net/http %d names, ours %d", len(req.Header), len(ours))
		}
		theirs, terr := io.ReadAll(req.Body)
		mine, merr := ourBody(in[n:], &r)
		if merr == nil && (terr != nil || !bytes.Equal(theirs, mine)) {
			t.Fatalf("body: net/http %q (%v), ours %q", theirs, terr, mine)
		}
	})
}

// ourBody reads the body after a head as our framing says.
func ourBody(rest []byte, r *h1.Request) ([]byte, error) {
	if r.Chunked {
		data, end, err := chunkedAll(rest, len(rest)+1)
		if err == nil && end < 0 {
			err = io.ErrUnexpectedEOF
		}
		return data, err
	}
	if int64(len(rest)) < r.ContentLength {
		return nil, io.ErrUnexpectedEOF
	}
	return rest[:r.ContentLength], nil
}
