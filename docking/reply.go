package docking

import (
	"encoding/binary"
	"fmt"
)

// Kind says how a Reply's body follows.
type Kind uint8

// The reply kinds. The values look like bits (3 is unused), but a reply has
// exactly one of them.
const (
	// ReplyEmpty has no body: HEAD, 1xx, 204, 304.
	ReplyEmpty Kind = 0
	// ReplyStream has its body in Hauls, ended by an empty FIN.
	ReplyStream Kind = 1
	// ReplyFile has its body in the file at the Reply's Path.
	ReplyFile Kind = 2
	// ReplyTunnel turns the link into a byte pipe both ways, after which
	// no Ready comes.
	ReplyTunnel Kind = 4
)

// String returns the kind's name, or Kind(N) for an invalid one.
func (k Kind) String() string {
	switch k {
	case ReplyEmpty:
		return "empty"
	case ReplyStream:
		return "stream"
	case ReplyFile:
		return "file"
	case ReplyTunnel:
		return "tunnel"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

func (k Kind) valid() bool {
	return k == ReplyEmpty || k == ReplyStream || k == ReplyFile || k == ReplyTunnel
}

// replyHeadLen is the part of a Reply payload before its headers: the
// request id, the status, the kind and the header count.
const replyHeadLen = 11

// Reply (0x22, bay → Mothership) is the head of a response.
type Reply struct {
	RequestID uint32
	// Status is the HTTP status, 100 to 599.
	Status uint16
	Kind   Kind
	// Headers are the response headers in order; a name may repeat.
	// Decoded, they alias the payload.
	Headers []Pair
	// Path is the absolute path of the body's file, for ReplyFile only.
	Path []byte
}

// Decode reads r from a Reply payload, reusing the memory of r.Headers, so
// that decoding into the same Reply again costs no allocation. Headers and
// Path alias the payload: they are valid until the Reader's next call.
func (r *Reply) Decode(payload []byte) error {
	c := cursor{t: TypeReply, p: payload}
	r.RequestID = c.u32("request_id")
	r.Status = c.u16("status")
	r.Kind = Kind(c.u8("kind"))
	if c.err != nil {
		return c.err
	}
	if why := checkReply(r.Status, r.Kind); why != "" {
		return malformed(TypeReply, "%s", why)
	}
	count := c.u32("header count")
	r.Headers = c.readPairs(r.Headers, count, "header")
	r.Path = nil
	if r.Kind == ReplyFile {
		r.Path = c.lp("path")
	}
	return c.end()
}

// Append appends r as a frame. It fails, leaving dst as it was, for a
// status outside 100–599, an unknown kind, a path on a kind other than
// file, or a head too large for one frame.
func (r *Reply) Append(dst []byte) ([]byte, error) {
	if why := checkReply(r.Status, r.Kind); why != "" {
		return dst, fmt.Errorf("docking: Reply: %s", why)
	}
	n := replyHeadLen
	for _, h := range r.Headers {
		n += h.pairLen()
	}
	switch {
	case r.Kind == ReplyFile:
		n += 4 + len(r.Path)
	case len(r.Path) > 0:
		return dst, fmt.Errorf("docking: Reply: a path is only for kind file, not %s", r.Kind)
	}
	if n > MaxFramePayload {
		return dst, fmt.Errorf("docking: reply head exceeds the frame size limit: %d bytes: %w", n, ErrFrameTooLarge)
	}
	dst = appendHeader(dst, TypeReply, n)
	dst = binary.BigEndian.AppendUint32(dst, r.RequestID)
	dst = binary.BigEndian.AppendUint16(dst, r.Status)
	dst = append(dst, byte(r.Kind))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Headers)))
	for _, h := range r.Headers {
		dst = appendLP(appendLP(dst, h.Name), h.Value)
	}
	if r.Kind == ReplyFile {
		dst = appendLP(dst, r.Path)
	}
	return dst, nil
}

// checkReply says why the HTTP bay's codec would refuse a head with this
// status and kind, or returns "" when it would not.
func checkReply(status uint16, kind Kind) string {
	if status < 100 || status > 599 {
		return fmt.Sprintf("status %d is not 100–599", status)
	}
	if !kind.valid() {
		return fmt.Sprintf("unknown kind %d", uint8(kind))
	}
	return ""
}
