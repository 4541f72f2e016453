package fuzz

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/mothership-go/mothership/docking"
)

// dockingSeeds are the docking spec's test vectors (§6), in hex; the
// docking package's tests check each against its meaning.
var dockingSeeds = []string{
	"01000000317b2276657273696f6e223a332c2273686970223a22776562222c22706964223a343234322c2274687265616473223a347d",
	"02000000267b2276657273696f6e223a332c22636f6e666967223a7b22726f6c65223a2274657374227d7d",
	"200000003b000000010000000000000000000000020000000e524551554553545f4d4554484f440000000347455400000009504154485f494e464f000000012f",
	"200000002a000000070000000000000005000000010000000e524551554553545f4d4554484f4400000004504f5354",
	"210000000a000000070168656c6c6f",
	"210000000700000001006f6b",
	"21000000050000000101",
	"22000000290000000100c801000000010000000c636f6e74656e742d747970650000000a746578742f706c61696e",
	"230000000400000001",
	"01000000207b2276657273696f6e223a312c2273686970223a226f7262697463617374227d",
	"7f00000000",
}

// FuzzDockingFrames reads arbitrary bytes as a link and decodes every frame
// with its type's decoder: nothing may panic, the Reader may only fail with
// its documented errors, and whatever decodes must encode again and decode
// to the same message.
func FuzzDockingFrames(f *testing.F) {
	var all []byte
	for _, s := range dockingSeeds {
		b, err := hex.DecodeString(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		all = append(all, b...)
	}
	f.Add(all)
	f.Add(extraDockingSeed(f))
	f.Fuzz(func(t *testing.T, wire []byte) {
		r := docking.NewReader(bytes.NewReader(wire))
		for {
			fr, err := r.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.Is(err, docking.ErrUnknownType) && !errors.Is(err, docking.ErrFrameTooLarge) {
					t.Fatalf("Next: unexpected error %v", err)
				}
				return
			}
			if len(fr.Payload) > docking.MaxFramePayload {
				t.Fatalf("%s payload of %d bytes", fr.Type, len(fr.Payload))
			}
			checkRoundTrip(t, fr)
		}
	})
}

// extraDockingSeed is one of each message the vectors lack.
func extraDockingSeed(f *testing.F) []byte {
	var b []byte
	var err error
	b, err = docking.Boarding{ConnID: 3, Path: "/cable?x=1", RemoteAddr: "10.0.0.1:1", Headers: map[string]string{"cookie": "a=b"}}.Append(b)
	if err != nil {
		f.Fatal(err)
	}
	if b, err = (docking.Disembark{ConnID: 3, Code: 4000, Reason: "bye"}).Append(b); err != nil {
		f.Fatal(err)
	}
	b = docking.Cargo{ConnID: 3, Data: []byte(`{"type":"welcome"}`)}.Append(b)
	reply := docking.Reply{RequestID: 2, Status: 200, Kind: docking.ReplyFile, Path: []byte("/tmp/f")}
	if b, err = reply.Append(b); err != nil {
		f.Fatal(err)
	}
	return b
}

// checkRoundTrip decodes fr, and when it decodes, encodes the message and
// decodes that, which must give the same message.
func checkRoundTrip(t *testing.T, fr docking.Frame) {
	m, ok := decodeFrame(fr)
	if !ok {
		return
	}
	enc, err := encodeMessage(m)
	if err != nil {
		t.Fatalf("%s %+v decoded but does not encode: %v", fr.Type, m, err)
	}
	again, err := docking.NewReader(bytes.NewReader(enc)).Next()
	if err != nil || again.Type != fr.Type {
		t.Fatalf("%s re-encoded as % x reads back as %s, %v", fr.Type, enc, again.Type, err)
	}
	m2, ok := decodeFrame(again)
	if !ok {
		t.Fatalf("%s re-encoded as % x does not decode", fr.Type, enc)
	}
	// Encoding is deterministic (JSON sorts map keys), so the same message
	// encodes to the same bytes; this also takes nil and empty as equal,
	// which the wire cannot tell apart.
	enc2, err := encodeMessage(m2)
	if err != nil || !bytes.Equal(enc, enc2) {
		t.Fatalf("%s round trip: %+v became %+v (% x, then % x, %v)", fr.Type, m, m2, enc, enc2, err)
	}
}

// decodeFrame decodes fr with its type's decoder.
func decodeFrame(fr docking.Frame) (any, bool) {
	var m interface{ Decode([]byte) error }
	switch fr.Type {
	case docking.TypeDock:
		m = &docking.Dock{}
	case docking.TypeMoored:
		m = &docking.Moored{}
	case docking.TypeBoarding:
		m = &docking.Boarding{}
	case docking.TypeDisembark:
		m = &docking.Disembark{}
	case docking.TypeCargo:
		m = &docking.Cargo{}
	case docking.TypeFreight:
		m = &freight{}
	case docking.TypeHail:
		m = &docking.Hail{}
	case docking.TypeHaul:
		m = &docking.Haul{}
	case docking.TypeReply:
		m = &docking.Reply{}
	case docking.TypeReady:
		m = &docking.Ready{}
	default:
		panic("Reader returned unknown type " + fr.Type.String())
	}
	if err := m.Decode(fr.Payload); err != nil {
		if !errors.Is(err, docking.ErrMalformed) {
			panic("decode error not wrapping ErrMalformed: " + err.Error())
		}
		return nil, false
	}
	return m, true
}

func encodeMessage(m any) ([]byte, error) {
	switch m := m.(type) {
	case *docking.Dock:
		return m.Append(nil)
	case *docking.Moored:
		return m.Append(nil)
	case *docking.Boarding:
		return m.Append(nil)
	case *docking.Disembark:
		return m.Append(nil)
	case *docking.Cargo:
		return m.Append(nil), nil
	case *freight:
		return m.AppendFreight(nil), nil
	case *docking.Hail:
		return m.Append(nil)
	case *docking.Haul:
		return m.Append(nil), nil
	case *docking.Reply:
		return m.Append(nil)
	case *docking.Ready:
		return m.Append(nil), nil
	}
	panic("no encoder")
}

// freight is a Cargo read and written as Freight, its binary twin.
type freight struct{ docking.Cargo }

func (f *freight) Decode(p []byte) error { return f.DecodeFreight(p) }
