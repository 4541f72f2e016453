package docking

import (
	"errors"
	"fmt"
)

// Type is a frame's message type, its first byte on the wire.
type Type byte

// The message types. Dock and Moored belong to both families; 0x10–0x13 are
// the v1 WebSocket family, 0x20–0x23 the v3 HTTP family. Freight is this
// implementation's extension of v1, sent only on a link whose Dock and
// Moored both said Binary.
const (
	TypeDock      Type = 0x01
	TypeMoored    Type = 0x02
	TypeBoarding  Type = 0x10
	TypeDisembark Type = 0x11
	TypeCargo     Type = 0x12
	TypeFreight   Type = 0x13
	TypeHail      Type = 0x20
	TypeHaul      Type = 0x21
	TypeReply     Type = 0x22
	TypeReady     Type = 0x23
)

// ErrUnknownType is wrapped by the error for a frame whose type byte is none
// of the known types; the protocol has no room for extensions, so the link
// cannot go on.
var ErrUnknownType = errors.New("unknown message type")

// ErrUnexpectedType is wrapped by the error Expect returns for a known type
// arriving where another was due.
var ErrUnexpectedType = errors.New("unexpected message type")

// String returns the message's name as the protocol calls it ("Hail"), or
// Type(0xNN) for an unknown byte.
func (t Type) String() string {
	switch t {
	case TypeDock:
		return "Dock"
	case TypeMoored:
		return "Moored"
	case TypeBoarding:
		return "Boarding"
	case TypeDisembark:
		return "Disembark"
	case TypeCargo:
		return "Cargo"
	case TypeFreight:
		return "Freight"
	case TypeHail:
		return "Hail"
	case TypeHaul:
		return "Haul"
	case TypeReply:
		return "Reply"
	case TypeReady:
		return "Ready"
	}
	return fmt.Sprintf("Type(0x%02x)", byte(t))
}

// Known reports whether t is one of the message types of either family.
func (t Type) Known() bool {
	switch t {
	case TypeDock, TypeMoored, TypeBoarding, TypeDisembark, TypeCargo, TypeFreight,
		TypeHail, TypeHaul, TypeReply, TypeReady:
		return true
	}
	return false
}
