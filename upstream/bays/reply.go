package bays

import (
	"io"
	"sync"

	"github.com/mothership-go/mothership/docking"
	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// replyFields adds the Reply's headers to the response's fields. The bay's
// bytes go into the client's response head: a name that is not a token,
// or a value with a line break, could forge one, so such a header is
// logged and dropped. Names take the canonical case (content-type becomes
// Content-Type), as clients have always seen them. The Reply aliases the
// link's buffer, which the next frame overwrites: the fields are copied,
// all into one string.
func (s *httpBay) replyFields(h *pipeline.Header, reply *docking.Reply) {
	size := 0
	for _, p := range reply.Headers {
		size += len(p.Name) + len(p.Value)
	}
	buf := make([]byte, 0, size)
	type span struct{ name, value [2]int }
	spans := make([]span, 0, len(reply.Headers))
	for _, p := range reply.Headers {
		if !httpsyntax.IsToken(p.Name) || !httpsyntax.IsFieldValue(p.Value) {
			s.errorLog.Printf("bays: %s: dropped a malformed reply header %q", s.name, p.Name)
			continue
		}
		if httpsyntax.IsHopByHop(string(p.Name)) && (reply.Kind != docking.ReplyTunnel || reply.Status != 101) {
			continue // an upgrade's own fields go on only with its 101
		}
		var sp span
		sp.name[0] = len(buf)
		buf = appendCanonical(buf, p.Name)
		sp.name[1], sp.value[0] = len(buf), len(buf)
		buf = append(buf, p.Value...)
		sp.value[1] = len(buf)
		spans = append(spans, sp)
	}
	all := string(buf)
	for _, sp := range spans {
		h.Add(all[sp.name[0]:sp.name[1]], all[sp.value[0]:sp.value[1]])
	}
}

// appendCanonical appends the header name with its first letter and every
// letter after a '-' in upper case and the others in lower case.
func appendCanonical(dst, name []byte) []byte {
	upper := true
	for _, c := range name {
		switch {
		case upper && 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case !upper && 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst
}

// copyBufferSize is the size of the pooled buffers bodies are copied
// through.
const copyBufferSize = 32 << 10

var copyBuffers = sync.Pool{New: func() any { return new([copyBufferSize]byte) }}

// stream copies a stream reply's body, flushing each chunk as it arrives,
// so that server-sent events reach the client one by one.
func stream(w pipeline.ResponseWriter, body io.Reader) error {
	buf := copyBuffers.Get().(*[copyBufferSize]byte)
	defer copyBuffers.Put(buf)
	for {
		n, err := body.Read(buf[:])
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			if werr := w.Flush(); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
