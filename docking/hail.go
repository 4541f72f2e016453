package docking

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// hailHeadLen is the part of a Hail payload before its params: the request
// id, the content length and the param count.
const hailHeadLen = 16

// Hail (0x20, Mothership → bay) opens a request: its id, the exact number of
// body bytes that follow as Hauls (none when zero), and its CGI/Rack params
// (REQUEST_METHOD, PATH_INFO, HTTP_*, …) in order.
type Hail struct {
	RequestID     uint32
	ContentLength uint64
	// Params are the request's params; decoded, they alias the payload.
	Params []Pair
}

// Decode reads h from a Hail payload, reusing the memory of h.Params, so
// that decoding into the same Hail again costs no allocation. Params alias
// the payload: they are valid until the Reader's next call.
func (h *Hail) Decode(payload []byte) error {
	c := cursor{t: TypeHail, p: payload}
	h.RequestID = c.u32("request_id")
	h.ContentLength = c.u64("content_length")
	count := c.u32("param count")
	h.Params = c.readPairs(h.Params, count, "param")
	return c.end()
}

// Param returns the value of the first param called name.
func (h *Hail) Param(name string) ([]byte, bool) {
	for _, p := range h.Params {
		if string(p.Name) == name {
			return p.Value, true
		}
	}
	return nil, false
}

// Append appends h as a frame.
func (h *Hail) Append(dst []byte) ([]byte, error) {
	return AppendHail(dst, h.RequestID, h.ContentLength, h.Params...)
}

// AppendHail appends a Hail frame. It allocates only when dst lacks the
// room, and fails with ErrFrameTooLarge, leaving dst as it was, when the
// params do not fit in one frame.
func AppendHail(dst []byte, id uint32, contentLength uint64, params ...Pair) ([]byte, error) {
	var b HailBuilder
	b.Start(dst, id, contentLength)
	for _, p := range params {
		b.ParamBytes(p.Name, p.Value)
	}
	return b.Finish()
}

// HailBuilder builds a Hail frame in place: Start appends the head, each
// Param appends a pair, Finish fills in the count and the frame length.
// Building into the memory of the previous frame (Start(frame[:0], …))
// costs no allocation once it is large enough, and params given as strings
// are never converted.
type HailBuilder struct {
	buf   []byte
	start int
	count uint32
}

// Start begins a Hail for request id at the end of dst; it must come before
// the params.
func (b *HailBuilder) Start(dst []byte, id uint32, contentLength uint64) {
	b.start, b.count = len(dst), 0
	dst = appendHeader(dst, TypeHail, 0)
	dst = binary.BigEndian.AppendUint32(dst, id)
	dst = binary.BigEndian.AppendUint64(dst, contentLength)
	b.buf = binary.BigEndian.AppendUint32(dst, 0)
}

// Param appends a param.
func (b *HailBuilder) Param(name, value string) {
	b.buf = appendLPString(appendLPString(b.buf, name), value)
	b.count++
}

// ParamBytes appends a param given as bytes.
func (b *HailBuilder) ParamBytes(name, value []byte) {
	b.buf = appendLP(appendLP(b.buf, name), value)
	b.count++
}

// HeaderParam appends a request header as CGI names it: HTTP_, then the
// name in upper case with '-' turned into '_' (User-Agent gives
// HTTP_USER_AGENT). Content-Type and Content-Length are not headers to CGI:
// give them with Param as CONTENT_TYPE and CONTENT_LENGTH.
func (b *HailBuilder) HeaderParam(name, value string) {
	b.buf = binary.BigEndian.AppendUint32(b.buf, uint32(len("HTTP_")+len(name)))
	b.buf = append(b.buf, "HTTP_"...)
	for i := range len(name) {
		c := name[i]
		switch {
		case c == '-':
			c = '_'
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b.buf = append(b.buf, c)
	}
	b.buf = appendLPString(b.buf, value)
	b.count++
}

// Finish completes the frame and returns the buffer given to Start with
// the frame appended. When the params make the frame larger than
// MaxFramePayload, it returns that buffer as it was and an error wrapping
// ErrFrameTooLarge.
func (b *HailBuilder) Finish() ([]byte, error) {
	buf := b.buf
	b.buf = nil
	if len(buf) < b.start+HeaderLen+hailHeadLen {
		return buf, errors.New("docking: HailBuilder.Finish without Start")
	}
	if n := len(buf) - b.start - HeaderLen; n > MaxFramePayload {
		return buf[:b.start], fmt.Errorf("docking: Hail with %d params is %d bytes: %w", b.count, n, ErrFrameTooLarge)
	}
	binary.BigEndian.PutUint32(buf[b.start+HeaderLen+12:], b.count)
	patchLength(buf, b.start)
	return buf, nil
}
