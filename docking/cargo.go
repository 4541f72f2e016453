package docking

import "encoding/binary"

// cargoHeadLen is the part of a Cargo payload before the message: the
// connection id.
const cargoHeadLen = 4

// Cargo (0x12, both ways, v1) carries one WebSocket message of a client
// connection, without its frame type (text or binary: upstream/bays says
// how the proxy chooses one). Its layout, the u32 connection id and then
// the message bytes with no length, mirrors Haul without the flags byte;
// no peer could be run to confirm it.
type Cargo struct {
	ConnID uint32
	// Data is the message; decoded, it aliases the payload.
	Data []byte
}

// Append appends c as a frame. Data must be at most MaxFramePayload-4
// bytes.
func (c Cargo) Append(dst []byte) []byte {
	return append(c.appendHead(dst, len(c.Data)), c.Data...)
}

// appendHead appends the frame up to where n message bytes go.
func (c Cargo) appendHead(dst []byte, n int) []byte {
	return binary.BigEndian.AppendUint32(appendHeader(dst, TypeCargo, cargoHeadLen+n), c.ConnID)
}

// Decode reads c from a Cargo payload.
func (c *Cargo) Decode(payload []byte) error {
	cur := cursor{t: TypeCargo, p: payload}
	id := cur.u32("conn_id")
	if cur.err != nil {
		return cur.err
	}
	*c = Cargo{ConnID: id, Data: cur.p}
	return nil
}
