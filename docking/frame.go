package docking

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// HeaderLen is the length of a frame header: the type byte and the
// big-endian u32 payload length, which does not count the header.
const HeaderLen = 5

// MaxFramePayload is the largest payload either side may announce. The
// peers keep their value private; theirs is at least 100 005 (their tests
// send Hauls of 100 000 data bytes), and 16 MiB leaves room for any
// WebSocket message or request head we would relay, while still bounding
// what one frame can make a link buffer.
const MaxFramePayload = 16 << 20

// HaulChunkLen is the most data bytes we put in one Haul. The peers accept
// any Haul up to MaxFramePayload; 64 KiB is what the HTTP bay itself sends
// and keeps one chunk within one read buffer.
const HaulChunkLen = 64 << 10

// ErrFrameTooLarge is wrapped by the error for a frame whose header
// announces more than MaxFramePayload bytes, and for a message too large to
// encode in one frame.
var ErrFrameTooLarge = errors.New("frame exceeds the size limit")

// ErrMalformed is wrapped by every error of a message decoder: the payload
// does not have the layout its type requires.
var ErrMalformed = errors.New("malformed payload")

// Frame is one frame read from a link.
type Frame struct {
	// Type is the message type; a Reader only returns known types.
	Type Type
	// Payload is the frame's payload, valid until the Reader's next call.
	Payload []byte
}

// Expect returns nil when f is of type want, and otherwise an error naming
// both ("expected Hail, got Haul") that wraps ErrUnexpectedType.
func (f Frame) Expect(want Type) error {
	if f.Type == want {
		return nil
	}
	return fmt.Errorf("docking: %w: expected %s, got %s", ErrUnexpectedType, want, f.Type)
}

// appendHeader appends a frame header for a payload of n bytes.
func appendHeader(dst []byte, t Type, n int) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(t)), uint32(n))
}

// patchLength rewrites the length of the frame starting at dst[start], whose
// payload runs to the end of dst.
func patchLength(dst []byte, start int) {
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-HeaderLen))
}

// malformed returns a decoding error for a message of type t.
func malformed(t Type, format string, args ...any) error {
	return fmt.Errorf("docking: %w: %s: %s", ErrMalformed, t, fmt.Sprintf(format, args...))
}
