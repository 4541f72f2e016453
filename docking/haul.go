package docking

import "encoding/binary"

// flagFin is the Haul flag that ends a direction: the request body, the
// response body, or one side of a tunnel.
const flagFin = 0x01

// haulHeadLen is the part of a Haul payload before its data: the request
// id and the flags byte.
const haulHeadLen = 5

// Haul (0x21, both ways) carries a chunk of a request body, a response body
// or a tunnel.
type Haul struct {
	RequestID uint32
	// Fin ends the direction. A FIN that ends a response or a tunnel
	// direction carries no data; one that ends a request body may.
	Fin bool
	// Data is the chunk; decoded, it aliases the payload.
	Data []byte
}

// Append appends h as a frame. Data must be at most MaxFramePayload-5
// bytes; Writer.WriteHaul splits longer data.
func (h Haul) Append(dst []byte) []byte {
	return append(h.appendHead(dst, len(h.Data)), h.Data...)
}

// appendHead appends the frame up to where n data bytes go.
func (h Haul) appendHead(dst []byte, n int) []byte {
	dst = appendHeader(dst, TypeHaul, haulHeadLen+n)
	dst = binary.BigEndian.AppendUint32(dst, h.RequestID)
	if h.Fin {
		return append(dst, flagFin)
	}
	return append(dst, 0)
}

// Decode reads h from a Haul payload. Flag bits other than FIN are ignored.
func (h *Haul) Decode(payload []byte) error {
	c := cursor{t: TypeHaul, p: payload}
	id := c.u32("request_id")
	flags := c.u8("flags")
	if c.err != nil {
		return c.err
	}
	*h = Haul{RequestID: id, Fin: flags&flagFin != 0, Data: c.p}
	return nil
}

// readyLen is the length of a Ready payload.
const readyLen = 4

// Ready (0x23, bay → Mothership) frees the link for the next Hail.
type Ready struct {
	RequestID uint32
}

// Append appends r as a frame.
func (r Ready) Append(dst []byte) []byte {
	return binary.BigEndian.AppendUint32(appendHeader(dst, TypeReady, readyLen), r.RequestID)
}

// Decode reads r from a Ready payload. Bytes after the request id are
// ignored, as the HTTP bay's test peer ignores them.
func (r *Ready) Decode(payload []byte) error {
	c := cursor{t: TypeReady, p: payload}
	id := c.u32("request_id")
	if c.err != nil {
		return c.err
	}
	r.RequestID = id
	return nil
}
