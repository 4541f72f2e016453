package docking

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// allVectors is every valid vector of the spec, back to back.
func allVectors(t *testing.T) []byte {
	var wire []byte
	for _, v := range []string{vector1, vector2, vector3, vector4, vector5, vector6, vector7, vector8, vector12, vector14} {
		wire = append(wire, unhex(t, v)...)
	}
	return wire
}

var vectorTypes = []Type{TypeDock, TypeMoored, TypeHail, TypeHail, TypeHaul, TypeHaul, TypeHaul, TypeReply, TypeReady, TypeDock}

// readAll reads frames until an error, copying their payloads.
func readAll(r *Reader) ([]Frame, error) {
	var fs []Frame
	for {
		f, err := r.Next()
		if err != nil {
			return fs, err
		}
		fs = append(fs, Frame{Type: f.Type, Payload: bytes.Clone(f.Payload)})
	}
}

func TestReaderSplits(t *testing.T) {
	wire := allVectors(t)
	cases := []struct {
		name string
		rd   io.Reader
	}{
		{"one read", bytes.NewReader(wire)},
		{"one byte a read", iotest.OneByteReader(bytes.NewReader(wire))},
		{"half reads", iotest.HalfReader(bytes.NewReader(wire))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(wire))},
	}
	for _, c := range cases {
		fs, err := readAll(NewReader(c.rd))
		if err != io.EOF {
			t.Errorf("%s: ended with %v, want io.EOF itself", c.name, err)
		}
		if len(fs) != len(vectorTypes) {
			t.Fatalf("%s: %d frames, want %d", c.name, len(fs), len(vectorTypes))
		}
		var again []byte
		for i, f := range fs {
			if f.Type != vectorTypes[i] {
				t.Errorf("%s: frame %d is %s, want %s", c.name, i, f.Type, vectorTypes[i])
			}
			again = appendHeader(again, f.Type, len(f.Payload))
			again = append(again, f.Payload...)
		}
		if !bytes.Equal(again, wire) {
			t.Errorf("%s: frames do not add up to the input", c.name)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	hail := unhex(t, vector3)
	cases := []struct {
		name   string
		wire   []byte
		frames int   // frames read before the error
		is     error // what the error wraps
		says   string
	}{
		{"empty", nil, 0, io.EOF, "EOF"},
		{"unknown type", []byte{0x7f, 0, 0, 0, 0}, 0, ErrUnknownType, "0x7f"},
		{"type 0", []byte{0, 0, 0, 0, 0}, 0, ErrUnknownType, "0x00"},
		{"unknown type after a frame", append(unhex(t, vector12), 0x03, 0, 0, 0, 0), 1, ErrUnknownType, "0x03"},
		{"9 bytes of a hail", hail[:9], 0, io.ErrUnexpectedEOF, "9 bytes of a partial frame"},
		{"3 bytes of a header", hail[:3], 0, io.ErrUnexpectedEOF, "3 bytes of a partial frame"},
		{"hail without its last byte", hail[:len(hail)-1], 0, io.ErrUnexpectedEOF, "63 bytes"},
		{"oversized", []byte{0x21, 0x01, 0x00, 0x00, 0x01}, 0, ErrFrameTooLarge, "Haul announces 16777217 bytes"},
		{"largest length", []byte{0x22, 0xff, 0xff, 0xff, 0xff}, 0, ErrFrameTooLarge, "4294967295"},
	}
	for _, c := range cases {
		fs, err := readAll(NewReader(iotest.OneByteReader(bytes.NewReader(c.wire))))
		if len(fs) != c.frames {
			t.Errorf("%s: %d frames before the error, want %d", c.name, len(fs), c.frames)
		}
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one wrapping %v and saying %q", c.name, err, c.is, c.says)
		}
	}
}

func TestReaderPassesReadErrors(t *testing.T) {
	broken := errors.New("link reset")
	wire := unhex(t, vector12)
	r := NewReader(io.MultiReader(bytes.NewReader(wire), iotest.ErrReader(broken)))
	if f, err := r.Next(); err != nil || f.Type != TypeReady {
		t.Fatalf("first Next = %s, %v; want the Ready", f.Type, err)
	}
	for i := range 2 {
		if _, err := r.Next(); !errors.Is(err, broken) {
			t.Errorf("Next %d after the failure = %v, want the read error", i, err)
		}
	}
}

func TestReaderNoProgress(t *testing.T) {
	if _, err := NewReader(emptyReader{}).Next(); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("Next = %v, want io.ErrNoProgress", err)
	}
}

type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, nil }

// TestReaderLargeFrames reads frames larger than the initial buffer,
// among small ones, split across reads.
func TestReaderLargeFrames(t *testing.T) {
	sizes := []int{100_000, 10, MaxFramePayload - haulHeadLen, ReadBufferLen, 3}
	var wire []byte
	for i, n := range sizes {
		wire = Haul{RequestID: uint32(i), Data: bytes.Repeat([]byte{byte(i)}, n)}.Append(wire)
	}
	r := NewReader(iotest.HalfReader(bytes.NewReader(wire)))
	for i, n := range sizes {
		f, err := r.Next()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		var h Haul
		if err := h.Decode(f.Payload); err != nil || h.RequestID != uint32(i) || len(h.Data) != n || bytes.Count(h.Data, []byte{byte(i)}) != n {
			t.Errorf("frame %d: Haul %d with %d bytes, %v; want %d bytes of %d", i, h.RequestID, len(h.Data), err, n, i)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the frames: %v, want io.EOF", err)
	}
}

// TestReaderGrowsWithData checks that an announced length alone does not
// grow the buffer: only bytes that arrive do.
func TestReaderGrowsWithData(t *testing.T) {
	wire := append([]byte{byte(TypeHaul), 0x00, 0xff, 0xff, 0xff}, make([]byte, 3*ReadBufferLen)...)
	r := NewReader(bytes.NewReader(wire))
	if _, err := r.Next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Next = %v, want io.ErrUnexpectedEOF", err)
	}
	if len(r.buf) > 4*ReadBufferLen {
		t.Errorf("buffer grew to %d bytes for %d that arrived", len(r.buf), len(wire))
	}
}

func TestTypeString(t *testing.T) {
	cases := []struct {
		t     Type
		want  string
		known bool
	}{
		{TypeDock, "Dock", true}, {TypeMoored, "Moored", true}, {TypeBoarding, "Boarding", true},
		{TypeDisembark, "Disembark", true}, {TypeCargo, "Cargo", true}, {TypeHail, "Hail", true},
		{TypeHaul, "Haul", true}, {TypeReply, "Reply", true}, {TypeReady, "Ready", true},
		{0x7f, "Type(0x7f)", false}, {0x03, "Type(0x03)", false},
	}
	for _, c := range cases {
		if got := c.t.String(); got != c.want {
			t.Errorf("Type(0x%02x).String() = %q, want %q", byte(c.t), got, c.want)
		}
		if c.t.Known() != c.known {
			t.Errorf("%s.Known() = %v, want %v", c.want, !c.known, c.known)
		}
	}
	err := Frame{Type: TypeHaul}.Expect(TypeHail)
	if !errors.Is(err, ErrUnexpectedType) || !strings.Contains(err.Error(), "expected Hail, got Haul") {
		t.Errorf("Expect = %v, want ErrUnexpectedType saying expected Hail, got Haul", err)
	}
	if err := (Frame{Type: TypeHail}).Expect(TypeHail); err != nil {
		t.Errorf("Expect of the right type = %v", err)
	}
}
