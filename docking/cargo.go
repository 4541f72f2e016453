package docking

import "encoding/binary"

// cargoHeadLen is the part of a Cargo payload before the message: the
// connection id.
const cargoHeadLen = 4

// Cargo (0x12, both ways, v1) carries one WebSocket message of a client
// connection. Its layout, the u32 connection id and then the message
// bytes with no length, mirrors Haul without the flags byte; no peer could
// be run to confirm it. Freight (0x13) has the same layout and carries a
// binary message, on links that agreed to it (Dock.Binary and
// Moored.Binary); on others a message travels as Cargo, which carries no
// frame type (upstream/bays says how the proxy then chooses one).
type Cargo struct {
	ConnID uint32
	// Data is the message; decoded, it aliases the payload.
	Data []byte
}

// Append appends c as a frame. Data must be at most MaxFramePayload-4
// bytes.
func (c Cargo) Append(dst []byte) []byte {
	return append(c.appendHead(dst, TypeCargo, len(c.Data)), c.Data...)
}

// AppendFreight appends c as a Freight frame, a binary message.
func (c Cargo) AppendFreight(dst []byte) []byte {
	return append(c.appendHead(dst, TypeFreight, len(c.Data)), c.Data...)
}

// appendHead appends the frame, of type t (Cargo or Freight), up to where
// n message bytes go.
func (c Cargo) appendHead(dst []byte, t Type, n int) []byte {
	return binary.BigEndian.AppendUint32(appendHeader(dst, t, cargoHeadLen+n), c.ConnID)
}

// Decode reads c from a Cargo payload.
func (c *Cargo) Decode(payload []byte) error { return c.decode(TypeCargo, payload) }

// DecodeFreight reads c from a Freight payload.
func (c *Cargo) DecodeFreight(payload []byte) error { return c.decode(TypeFreight, payload) }

func (c *Cargo) decode(t Type, payload []byte) error {
	cur := cursor{t: t, p: payload}
	id := cur.u32("conn_id")
	if cur.err != nil {
		return cur.err
	}
	*c = Cargo{ConnID: id, Data: cur.p}
	return nil
}
