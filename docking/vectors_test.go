package docking

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// unhex turns a spec vector, hex bytes with spaces, '|' separators and
// "quoted" ASCII, into bytes.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, field := range strings.Fields(strings.ReplaceAll(s, "|", " ")) {
		if strings.HasPrefix(field, `"`) {
			out = append(out, strings.Trim(field, `"`)...)
			continue
		}
		b, err := hex.DecodeString(field)
		if err != nil {
			t.Fatalf("vector byte %q: %v", field, err)
		}
		out = append(out, b...)
	}
	return out
}

func pair(name, value string) Pair { return Pair{Name: []byte(name), Value: []byte(value)} }

// Spec §6, numbered as there.
const (
	vector1  = `01 00 00 00 31 7b 22 76 65 72 73 69 6f 6e 22 3a 33 2c 22 73 68 69 70 22 3a 22 77 65 62 22 2c 22 70 69 64 22 3a 34 32 34 32 2c 22 74 68 72 65 61 64 73 22 3a 34 7d`
	vector2  = `02 00 00 00 26 7b 22 76 65 72 73 69 6f 6e 22 3a 33 2c 22 63 6f 6e 66 69 67 22 3a 7b 22 72 6f 6c 65 22 3a 22 74 65 73 74 22 7d 7d`
	vector3  = `20 00 00 00 3b | 00 00 00 01 | 00 00 00 00 00 00 00 00 | 00 00 00 02 | 00 00 00 0e "REQUEST_METHOD" 00 00 00 03 "GET" 00 00 00 09 "PATH_INFO" 00 00 00 01 "/"`
	vector4  = `20 00 00 00 2a 00 00 00 07 00 00 00 00 00 00 00 05 00 00 00 01 00 00 00 0e 52 45 51 55 45 53 54 5f 4d 45 54 48 4f 44 00 00 00 04 50 4f 53 54`
	vector5  = `21 00 00 00 0a 00 00 00 07 01 68 65 6c 6c 6f`
	vector6  = `21 00 00 00 07 00 00 00 01 00 6f 6b`
	vector7  = `21 00 00 00 05 00 00 00 01 01`
	vector8  = `22 00 00 00 29 00 00 00 01 00 c8 01 00 00 00 01 00 00 00 0c 63 6f 6e 74 65 6e 74 2d 74 79 70 65 00 00 00 0a 74 65 78 74 2f 70 6c 61 69 6e`
	vector12 = `23 00 00 00 04 00 00 00 01`
	vector14 = `01 00 00 00 20 7b 22 76 65 72 73 69 6f 6e 22 3a 31 2c 22 73 68 69 70 22 3a 22 6f 72 62 69 74 63 61 73 74 22 7d`
	vector15 = `7f 00 00 00 00`
)

// readOne reads the single frame of a vector.
func readOne(t *testing.T, wire []byte) Frame {
	t.Helper()
	f, err := NewReader(bytes.NewReader(wire)).Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return f
}

func TestBinaryVectors(t *testing.T) {
	cases := []struct {
		name   string
		vector string
		encode func([]byte) ([]byte, error)
		decode func(Frame) (any, error)
		want   any
	}{
		{
			name:   "3 hail GET /",
			vector: vector3,
			encode: func(b []byte) ([]byte, error) {
				return AppendHail(b, 1, 0, pair("REQUEST_METHOD", "GET"), pair("PATH_INFO", "/"))
			},
			decode: func(f Frame) (any, error) { var h Hail; err := h.Decode(f.Payload); return &h, err },
			want:   &Hail{RequestID: 1, Params: []Pair{pair("REQUEST_METHOD", "GET"), pair("PATH_INFO", "/")}},
		},
		{
			name:   "4 hail POST",
			vector: vector4,
			encode: func(b []byte) ([]byte, error) {
				var hb HailBuilder
				hb.Start(b, 7, 5)
				hb.Param("REQUEST_METHOD", "POST")
				return hb.Finish()
			},
			decode: func(f Frame) (any, error) { var h Hail; err := h.Decode(f.Payload); return &h, err },
			want:   &Hail{RequestID: 7, ContentLength: 5, Params: []Pair{pair("REQUEST_METHOD", "POST")}},
		},
		{
			name:   "5 haul fin hello",
			vector: vector5,
			encode: func(b []byte) ([]byte, error) {
				return Haul{RequestID: 7, Fin: true, Data: []byte("hello")}.Append(b), nil
			},
			decode: func(f Frame) (any, error) { var h Haul; err := h.Decode(f.Payload); return h, err },
			want:   Haul{RequestID: 7, Fin: true, Data: []byte("hello")},
		},
		{
			name:   "6 haul ok",
			vector: vector6,
			encode: func(b []byte) ([]byte, error) { return Haul{RequestID: 1, Data: []byte("ok")}.Append(b), nil },
			decode: func(f Frame) (any, error) { var h Haul; err := h.Decode(f.Payload); return h, err },
			want:   Haul{RequestID: 1, Data: []byte("ok")},
		},
		{
			name:   "7 haul empty fin",
			vector: vector7,
			encode: func(b []byte) ([]byte, error) { return Haul{RequestID: 1, Fin: true}.Append(b), nil },
			decode: func(f Frame) (any, error) { var h Haul; err := h.Decode(f.Payload); return h, err },
			want:   Haul{RequestID: 1, Fin: true, Data: []byte{}},
		},
		{
			name:   "8 reply stream",
			vector: vector8,
			encode: func(b []byte) ([]byte, error) {
				r := Reply{RequestID: 1, Status: 200, Kind: ReplyStream, Headers: []Pair{pair("content-type", "text/plain")}}
				return r.Append(b)
			},
			decode: func(f Frame) (any, error) { var r Reply; err := r.Decode(f.Payload); return &r, err },
			want:   &Reply{RequestID: 1, Status: 200, Kind: ReplyStream, Headers: []Pair{pair("content-type", "text/plain")}},
		},
		{
			name:   "12 ready",
			vector: vector12,
			encode: func(b []byte) ([]byte, error) { return Ready{RequestID: 1}.Append(b), nil },
			decode: func(f Frame) (any, error) { var r Ready; err := r.Decode(f.Payload); return r, err },
			want:   Ready{RequestID: 1},
		},
		{
			name:   "2 moored",
			vector: vector2,
			encode: func(b []byte) ([]byte, error) {
				return Moored{Version: 3, Config: map[string]string{"role": "test"}}.Append(b)
			},
			decode: func(f Frame) (any, error) { var m Moored; err := m.Decode(f.Payload); return m, err },
			want:   Moored{Version: 3, Config: map[string]string{"role": "test"}},
		},
	}
	for _, c := range cases {
		wire := unhex(t, c.vector)
		got, err := c.encode([]byte("prefix"))
		if err != nil {
			t.Errorf("%s: encode: %v", c.name, err)
		} else if want := append([]byte("prefix"), wire...); !bytes.Equal(got, want) {
			t.Errorf("%s: encode\n got % x\nwant % x", c.name, got, want)
		}
		f := readOne(t, wire)
		v, err := c.decode(f)
		if err != nil {
			t.Errorf("%s: decode: %v", c.name, err)
		} else if !reflect.DeepEqual(v, c.want) {
			t.Errorf("%s: decode = %+v, want %+v", c.name, v, c.want)
		}
	}
}

// TestDockVectors compares Docks after parsing, since their key order is
// not known.
func TestDockVectors(t *testing.T) {
	cases := []struct {
		name   string
		vector string
		dock   Dock
	}{
		{"1 dock v3", vector1, Dock{Version: 3, Ship: "web", PID: 4242, Threads: 4}},
		{"14 dock v1", vector14, Dock{Version: 1, Ship: "orbitcast"}},
	}
	for _, c := range cases {
		wire := unhex(t, c.vector)
		f := readOne(t, wire)
		var got Dock
		if err := got.Decode(f.Payload); err != nil || got != c.dock {
			t.Errorf("%s: decode = %+v, %v; want %+v", c.name, got, err, c.dock)
		}
		enc, err := c.dock.Append(nil)
		if err != nil {
			t.Fatalf("%s: encode: %v", c.name, err)
		}
		if !bytes.Equal(enc[:HeaderLen], wire[:HeaderLen]) {
			t.Errorf("%s: encoded header % x, want % x", c.name, enc[:HeaderLen], wire[:HeaderLen])
		}
		var gotJSON, wantJSON map[string]any
		if err := json.Unmarshal(enc[HeaderLen:], &gotJSON); err != nil {
			t.Fatalf("%s: encoded payload %q: %v", c.name, enc[HeaderLen:], err)
		}
		if err := json.Unmarshal(wire[HeaderLen:], &wantJSON); err != nil {
			t.Fatalf("%s: vector payload: %v", c.name, err)
		}
		if !reflect.DeepEqual(gotJSON, wantJSON) {
			t.Errorf("%s: encoded %s, want %s", c.name, enc[HeaderLen:], wire[HeaderLen:])
		}
	}
}

func TestVector15Rejected(t *testing.T) {
	_, err := NewReader(bytes.NewReader(unhex(t, vector15))).Next()
	if !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), "0x7f") {
		t.Errorf("Next = %v, want ErrUnknownType naming 0x7f", err)
	}
}
