package fuzz

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/docking"
)

// dockingSeeds are the docking spec's test vectors (§6), as written there:
// hex bytes, '|' separators and "quoted" ASCII.
var dockingSeeds = []string{
	`01 00 00 00 31 7b 22 76 65 72 73 69 6f 6e 22 3a 33 2c 22 73 68 69 70 22 3a 22 77 65 62 22 2c 22 70 69 64 22 3a 34 32 34 32 2c 22 74 68 72 65 61 64 73 22 3a 34 7d`,
	`02 00 00 00 26 7b 22 76 65 72 73 69 6f 6e 22 3a 33 2c 22 63 6f 6e 66 69 67 22 3a 7b 22 72 6f 6c 65 22 3a 22 74 65 73 74 22 7d 7d`,
	`20 00 00 00 3b | 00 00 00 01 | 00 00 00 00 00 00 00 00 | 00 00 00 02 | 00 00 00 0e "REQUEST_METHOD" 00 00 00 03 "GET" 00 00 00 09 "PATH_INFO" 00 00 00 01 "/"`,
	`20 00 00 00 2a 00 00 00 07 00 00 00 00 00 00 00 05 00 00 00 01 00 00 00 0e 52 45 51 55 45 53 54 5f 4d 45 54 48 4f 44 00 00 00 04 50 4f 53 54`,
	`21 00 00 00 0a 00 00 00 07 01 68 65 6c 6c 6f`,
	`21 00 00 00 07 00 00 00 01 00 6f 6b`,
	`21 00 00 00 05 00 00 00 01 01`,
	`22 00 00 00 29 00 00 00 01 00 c8 01 00 00 00 01 00 00 00 0c 63 6f 6e 74 65 6e 74 2d 74 79 70 65 00 00 00 0a 74 65 78 74 2f 70 6c 61 69 6e`,
	`23 00 00 00 04 00 00 00 01`,
	`01 00 00 00 20 7b 22 76 65 72 73 69 6f 6e 22 3a 31 2c 22 73 68 69 70 22 3a 22 6f 72 62 69 74 63 61 73 74 22 7d`,
	`7f 00 00 00 00`,
}

// unhexVector turns a vector as the spec writes it into bytes.
func unhexVector(f *testing.F, s string) []byte {
	var out []byte
	for _, field := range strings.Fields(strings.ReplaceAll(s, "|", " ")) {
		if strings.HasPrefix(field, `"`) {
			out = append(out, strings.Trim(field, `"`)...)
			continue
		}
		b, err := hex.DecodeString(field)
		if err != nil {
			f.Fatalf("vector byte %q: %v", field, err)
		}
		out = append(out, b...)
	}
	return out
}

// FuzzDockingFrames reads arbitrary bytes as a link and decodes every frame
// with its type's decoder: nothing may panic, the Reader may only fail with
// its documented errors, and whatever decodes must encode again and decode
// to the same message.
func FuzzDockingFrames(f *testing.F) {
	var all []byte
	for _, s := range dockingSeeds {
		b := unhexVector(f, s)
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
	if !sameDockingMessage(m, m2) {
		t.Fatalf("%s round trip: %+v became %+v", fr.Type, m, m2)
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

// sameDockingMessage compares messages, taking nil and empty slices and
// maps as equal, since the wire cannot tell them apart.
func sameDockingMessage(a, b any) bool {
	switch a := a.(type) {
	case *docking.Dock:
		return *a == *b.(*docking.Dock)
	case *docking.Moored:
		b := b.(*docking.Moored)
		return a.Version == b.Version && maps.Equal(a.Config, b.Config)
	case *docking.Boarding:
		b := b.(*docking.Boarding)
		return a.ConnID == b.ConnID && a.Path == b.Path && a.RemoteAddr == b.RemoteAddr && maps.Equal(a.Headers, b.Headers)
	case *docking.Disembark:
		return *a == *b.(*docking.Disembark)
	case *docking.Cargo:
		b := b.(*docking.Cargo)
		return a.ConnID == b.ConnID && bytes.Equal(a.Data, b.Data)
	case *docking.Hail:
		b := b.(*docking.Hail)
		return a.RequestID == b.RequestID && a.ContentLength == b.ContentLength && samePairs(a.Params, b.Params)
	case *docking.Haul:
		b := b.(*docking.Haul)
		return a.RequestID == b.RequestID && a.Fin == b.Fin && bytes.Equal(a.Data, b.Data)
	case *docking.Reply:
		b := b.(*docking.Reply)
		return a.RequestID == b.RequestID && a.Status == b.Status && a.Kind == b.Kind &&
			samePairs(a.Headers, b.Headers) && bytes.Equal(a.Path, b.Path)
	case *docking.Ready:
		return *a == *b.(*docking.Ready)
	}
	return false
}

func samePairs(a, b []docking.Pair) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Name, b[i].Name) || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}
