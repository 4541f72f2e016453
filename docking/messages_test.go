package docking

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

// decoder is what every message type offers, as a test sees it.
type decoder interface {
	Decode([]byte) error
}

// encodeFrame encodes any message as one frame.
func encodeFrame(t *testing.T, m any) []byte {
	t.Helper()
	var b []byte
	var err error
	switch m := m.(type) {
	case *Dock:
		b, err = m.Append(nil)
	case *Moored:
		b, err = m.Append(nil)
	case *Boarding:
		b, err = m.Append(nil)
	case *Disembark:
		b, err = m.Append(nil)
	case *Cargo:
		b = m.Append(nil)
	case *Hail:
		b, err = m.Append(nil)
	case *Haul:
		b = m.Append(nil)
	case *Reply:
		b, err = m.Append(nil)
	case *Ready:
		b = m.Append(nil)
	default:
		t.Fatalf("no encoder for %T", m)
	}
	if err != nil {
		t.Fatalf("encode %T: %v", m, err)
	}
	return b
}

func TestRoundTrips(t *testing.T) {
	cases := []struct {
		name  string
		typ   Type
		in    decoder
		empty func() decoder
	}{
		{"dock v3", TypeDock, &Dock{Version: 3, Ship: "rack", PID: 77, Threads: 2}, func() decoder { return &Dock{} }},
		{"dock v1", TypeDock, &Dock{Version: 1, Ship: "orbit <&> \"cast\""}, func() decoder { return &Dock{} }},
		{"dock v1 taking freight", TypeDock, &Dock{Version: 1, Ship: "cable", Binary: true}, func() decoder { return &Dock{} }},
		{"moored config", TypeMoored, &Moored{Version: 1, Config: map[string]string{"database_url": "postgres://x/?a=b&c=d", "ping_interval": "3"}}, func() decoder { return &Moored{} }},
		{"boarding", TypeBoarding, &Boarding{ConnID: 1 << 31, Path: "/cable?x=1", RemoteAddr: "10.0.0.1:5000", Headers: map[string]string{"cookie": "a=b", "origin": "https://x"}}, func() decoder { return &Boarding{} }},
		{"disembark", TypeDisembark, &Disembark{ConnID: 9, Code: 4000, Reason: "bye"}, func() decoder { return &Disembark{} }},
		{"cargo", TypeCargo, &Cargo{ConnID: 0xdeadbeef, Data: []byte(`{"type":"ping"}`)}, func() decoder { return &Cargo{} }},
		{"cargo empty", TypeCargo, &Cargo{ConnID: 1, Data: []byte{}}, func() decoder { return &Cargo{} }},
		{"hail", TypeHail, &Hail{RequestID: 5, ContentLength: 1 << 40, Params: []Pair{pair("A", ""), pair("", "b"), pair("A", "\xff\x00")}}, func() decoder { return &Hail{} }},
		{"hail no params", TypeHail, &Hail{RequestID: 6}, func() decoder { return &Hail{} }},
		{"haul", TypeHaul, &Haul{RequestID: 3, Data: bytes.Repeat([]byte("x"), 1000)}, func() decoder { return &Haul{} }},
		{"reply empty", TypeReply, &Reply{RequestID: 1, Status: 204, Kind: ReplyEmpty}, func() decoder { return &Reply{} }},
		{"reply file", TypeReply, &Reply{RequestID: 2, Status: 200, Kind: ReplyFile, Headers: []Pair{pair("content-type", "text/html")}, Path: []byte("/srv/a b.html")}, func() decoder { return &Reply{} }},
		{"reply tunnel", TypeReply, &Reply{RequestID: 3, Status: 101, Kind: ReplyTunnel, Headers: []Pair{pair("upgrade", "websocket"), pair("set-cookie", "a"), pair("set-cookie", "b")}}, func() decoder { return &Reply{} }},
		{"reply 599", TypeReply, &Reply{RequestID: 4, Status: 599, Kind: ReplyStream}, func() decoder { return &Reply{} }},
		{"ready", TypeReady, &Ready{RequestID: 0xffffffff}, func() decoder { return &Ready{} }},
	}
	for _, c := range cases {
		f := readOne(t, encodeFrame(t, c.in))
		if f.Type != c.typ {
			t.Errorf("%s: frame type %s, want %s", c.name, f.Type, c.typ)
			continue
		}
		out := c.empty()
		if err := out.Decode(f.Payload); err != nil {
			t.Errorf("%s: decode: %v", c.name, err)
			continue
		}
		if !sameMessage(c.in, out) {
			t.Errorf("%s: round trip gave %+v, want %+v", c.name, out, c.in)
		}
	}
}

// sameMessage compares messages, taking nil and empty slices and maps as
// equal, since the wire cannot tell them apart.
func sameMessage(a, b any) bool {
	switch a := a.(type) {
	case *Moored:
		b := b.(*Moored)
		return a.Version == b.Version && maps.Equal(a.Config, b.Config)
	case *Boarding:
		b := b.(*Boarding)
		return a.ConnID == b.ConnID && a.Path == b.Path && a.RemoteAddr == b.RemoteAddr && maps.Equal(a.Headers, b.Headers)
	case *Cargo:
		b := b.(*Cargo)
		return a.ConnID == b.ConnID && bytes.Equal(a.Data, b.Data)
	case *Haul:
		b := b.(*Haul)
		return a.RequestID == b.RequestID && a.Fin == b.Fin && bytes.Equal(a.Data, b.Data)
	case *Hail:
		b := b.(*Hail)
		return a.RequestID == b.RequestID && a.ContentLength == b.ContentLength && samePairs(a.Params, b.Params)
	case *Reply:
		b := b.(*Reply)
		return a.RequestID == b.RequestID && a.Status == b.Status && a.Kind == b.Kind && samePairs(a.Headers, b.Headers) && bytes.Equal(a.Path, b.Path)
	}
	return reflect.DeepEqual(a, b)
}

func samePairs(a, b []Pair) bool {
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

func TestDecodeErrors(t *testing.T) {
	u32 := func(v uint32) string { return string([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}) }
	u64 := func(v uint64) string { return u32(uint32(v>>32)) + u32(uint32(v)) }
	lp := func(s string) string { return u32(uint32(len(s))) + s }
	replyHead := func(status uint16, kind byte) string {
		return u32(1) + string([]byte{byte(status >> 8), byte(status), kind})
	}
	cases := []struct {
		name    string
		msg     decoder
		payload string
		says    string
	}{
		{"hail empty", &Hail{}, "", "request_id needs 4 bytes, 0 left"},
		{"hail short content length", &Hail{}, u32(1) + "\x00\x00", "content_length needs 8 bytes, 2 left"},
		{"hail no count", &Hail{}, u32(1) + u64(0), "param count needs 4 bytes"},
		{"hail count past the end", &Hail{}, u32(1) + u64(0) + u32(1), "1 params cannot fit in 0 bytes"},
		{"hail huge count", &Hail{}, u32(1) + u64(0) + u32(0xffffffff) + lp("A") + lp("B"), "4294967295 params cannot fit"},
		{"hail name past the end", &Hail{}, u32(1) + u64(0) + u32(1) + u32(100) + "abcd", "param 0 name of 100 bytes runs past the end, 4 left"},
		{"hail value past the end", &Hail{}, u32(1) + u64(0) + u32(2) + lp("A") + lp("B") + lp("C") + u32(0xffffffff) + "\x00\x00\x00\x00", "param 1 value of 4294967295 bytes runs past the end"},
		{"hail truncated length", &Hail{}, u32(1) + u64(0) + u32(1) + lp("AAAA") + "\x00\x00", "param 0 value needs 4 bytes, 2 left"},
		{"hail trailing bytes", &Hail{}, u32(1) + u64(0) + u32(0) + "x", "1 bytes after the end"},
		{"haul empty", &Haul{}, "", "request_id needs 4 bytes"},
		{"haul no flags", &Haul{}, u32(1), "flags needs 1 bytes, 0 left"},
		{"ready short", &Ready{}, "\x00\x00\x01", "request_id needs 4 bytes, 3 left"},
		{"cargo short", &Cargo{}, "\x00", "conn_id needs 4 bytes, 1 left"},
		{"reply status 99", &Reply{}, replyHead(99, 1) + u32(0), "status 99 is not 100–599"},
		{"reply status 600", &Reply{}, replyHead(600, 1) + u32(0), "status 600 is not 100–599"},
		{"reply kind 3", &Reply{}, replyHead(200, 3) + u32(0), "unknown kind 3"},
		{"reply kind 8", &Reply{}, replyHead(200, 8) + u32(0), "unknown kind 8"},
		{"reply no kind", &Reply{}, u32(1) + "\x00\xc8", "kind needs 1 bytes, 0 left"},
		{"reply header past the end", &Reply{}, replyHead(200, 1) + u32(1) + lp("a") + u32(9) + "b", "header 0 value of 9 bytes runs past the end, 1 left"},
		{"reply file without path", &Reply{}, replyHead(200, 2) + u32(0), "path needs 4 bytes, 0 left"},
		{"reply path past the end", &Reply{}, replyHead(200, 2) + u32(0) + u32(5) + "/a", "path of 5 bytes runs past the end, 2 left"},
		{"reply stream with a path", &Reply{}, replyHead(200, 1) + u32(0) + lp("/a"), "6 bytes after the end"},
		{"dock not json", &Dock{}, "version=3", "not a JSON object"},
		{"dock array", &Dock{}, "[1]", "not a JSON object"},
		{"dock version string", &Dock{}, `{"version":"3"}`, "Dock: json"},
		{"dock trailing", &Dock{}, `{"version":3} x`, "Dock: invalid character"},
		{"moored number config", &Moored{}, `{"version":1,"config":{"ping_interval":3}}`, "Moored: json"},
		{"boarding negative conn", &Boarding{}, `{"conn_id":-1}`, "Boarding: json"},
		{"disembark code too big", &Disembark{}, `{"conn_id":1,"code":70000}`, "Disembark: json"},
	}
	for _, c := range cases {
		err := c.msg.Decode([]byte(c.payload))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: Decode = %v, want ErrMalformed saying %q", c.name, err, c.says)
		}
	}
}

func TestReadyIgnoresExtraBytes(t *testing.T) {
	var r Ready
	if err := r.Decode([]byte{0, 0, 0, 9, 1, 2}); err != nil || r.RequestID != 9 {
		t.Errorf("Decode = %+v, %v; want request 9", r, err)
	}
}

func TestHaulIgnoresOtherFlags(t *testing.T) {
	var h Haul
	if err := h.Decode([]byte{0, 0, 0, 1, 0xfe, 'x'}); err != nil || h.Fin || string(h.Data) != "x" {
		t.Errorf("flags 0xfe: %+v, %v; want no FIN", h, err)
	}
	if err := h.Decode([]byte{0, 0, 0, 1, 0xff}); err != nil || !h.Fin {
		t.Errorf("flags 0xff: %+v, %v; want FIN", h, err)
	}
}

func TestEncodeErrors(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxFramePayload)
	cases := []struct {
		name   string
		encode func([]byte) ([]byte, error)
		says   string
	}{
		{"reply status 0", (&Reply{Kind: ReplyStream}).Append, "status 0 is not 100–599"},
		{"reply status 600", (&Reply{Status: 600}).Append, "status 600"},
		{"reply kind 3", (&Reply{Status: 200, Kind: 3}).Append, "unknown kind 3"},
		{"reply path on stream", (&Reply{Status: 200, Kind: ReplyStream, Path: []byte("/x")}).Append, "only for kind file, not stream"},
		{"reply head too large", (&Reply{Status: 200, Headers: []Pair{{Name: []byte("x"), Value: big}}}).Append, "reply head exceeds the frame size limit"},
		{"hail too large", (&Hail{Params: []Pair{{Name: []byte("x"), Value: big}}}).Append, "Hail with 1 params"},
		{"moored too large", Moored{Config: map[string]string{"x": string(big)}}.Append, "Moored of"},
		{"hail builder without start", func(dst []byte) ([]byte, error) { var b HailBuilder; _, err := b.Finish(); return dst, err }, "Finish without Start"},
	}
	for _, c := range cases {
		dst := []byte("kept")
		got, err := c.encode(dst)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.says)
		}
		if string(got) != "kept" {
			t.Errorf("%s: dst became %d bytes, want it as it was", c.name, len(got))
		}
	}
}

func TestMooredSendsEmptyConfig(t *testing.T) {
	b, err := Moored{Version: 1}.Append(nil)
	if err != nil || string(b[HeaderLen:]) != `{"version":1,"config":{}}` {
		t.Errorf("Moored without config = %q, %v; want config {}", b[HeaderLen:], err)
	}
	b, err = Boarding{ConnID: 1}.Append(nil)
	if err != nil || !strings.Contains(string(b), `"headers":{}`) {
		t.Errorf("Boarding without headers = %q, %v; want headers {}", b[HeaderLen:], err)
	}
}

func TestBoardingHelpers(t *testing.T) {
	paths := []struct{ path, query, want string }{
		{"/cable", "", "/cable"},
		{"/cable", "x=1", "/cable?x=1"},
	}
	for _, c := range paths {
		if got := BoardingPath(c.path, c.query); got != c.want {
			t.Errorf("BoardingPath(%q, %q) = %q, want %q", c.path, c.query, got, c.want)
		}
	}
	var b Boarding
	b.AddHeader("Cookie", "a=1")
	b.AddHeader("Origin", "https://x")
	b.AddHeader("cookie", "b=2")
	want := map[string]string{"cookie": "a=1, b=2", "origin": "https://x"}
	if !maps.Equal(b.Headers, want) {
		t.Errorf("AddHeader gave %v, want %v", b.Headers, want)
	}
}

func TestHailParam(t *testing.T) {
	h := Hail{Params: []Pair{pair("PATH_INFO", "/a"), pair("QUERY_STRING", ""), pair("PATH_INFO", "/b")}}
	cases := []struct {
		name, want string
		ok         bool
	}{
		{"PATH_INFO", "/a", true},
		{"QUERY_STRING", "", true},
		{"HTTP_HOST", "", false},
	}
	for _, c := range cases {
		v, ok := h.Param(c.name)
		if string(v) != c.want || ok != c.ok {
			t.Errorf("Param(%q) = %q, %v; want %q, %v", c.name, v, ok, c.want, c.ok)
		}
	}
}

func TestHeaderParam(t *testing.T) {
	var b HailBuilder
	b.Start(nil, 1, 0)
	b.HeaderParam("User-Agent", "curl")
	b.HeaderParam("x-request-id", "r1")
	b.HeaderParam("Sec-WebSocket-Key", "k")
	frame, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	var h Hail
	if err := h.Decode(frame[HeaderLen:]); err != nil {
		t.Fatal(err)
	}
	want := []Pair{pair("HTTP_USER_AGENT", "curl"), pair("HTTP_X_REQUEST_ID", "r1"), pair("HTTP_SEC_WEBSOCKET_KEY", "k")}
	if !samePairs(h.Params, want) {
		t.Errorf("params %q, want %q", h.Params, want)
	}
}

func TestKindString(t *testing.T) {
	cases := []struct {
		k    Kind
		want string
	}{{ReplyEmpty, "empty"}, {ReplyStream, "stream"}, {ReplyFile, "file"}, {ReplyTunnel, "tunnel"}, {3, "Kind(3)"}}
	for _, c := range cases {
		if got := c.k.String(); got != c.want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(c.k), got, c.want)
		}
	}
}
