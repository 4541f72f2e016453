package docking

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// countingWriter records each write's size.
type countingWriter struct {
	bytes.Buffer
	writes []int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, len(p))
	return c.Buffer.Write(p)
}

func TestWriteHaulChunks(t *testing.T) {
	n := HaulChunkLen
	cases := []struct {
		name   string
		size   int
		fin    bool
		chunks []int // data lengths of the frames written
		fins   []bool
	}{
		{"nothing", 0, false, nil, nil},
		{"empty fin", 0, true, []int{0}, []bool{true}},
		{"small", 10, false, []int{10}, []bool{false}},
		{"small fin", 10, true, []int{10}, []bool{true}},
		{"exactly one chunk", n, true, []int{n}, []bool{true}},
		{"2n+10", 2*n + 10, false, []int{n, n, 10}, []bool{false, false, false}},
		{"2n+10 fin", 2*n + 10, true, []int{n, n, 10}, []bool{false, false, true}},
	}
	for _, c := range cases {
		var out countingWriter
		w := NewWriter(&out)
		data := bytes.Repeat([]byte("d"), c.size)
		if err := w.WriteHaul(4, c.fin, data); err != nil {
			t.Fatalf("%s: WriteHaul: %v", c.name, err)
		}
		if err := w.Flush(); err != nil {
			t.Fatalf("%s: Flush: %v", c.name, err)
		}
		fs, _ := readAll(NewReader(&out))
		if len(fs) != len(c.chunks) {
			t.Errorf("%s: %d frames, want %d", c.name, len(fs), len(c.chunks))
			continue
		}
		for i, f := range fs {
			var h Haul
			if err := h.Decode(f.Payload); err != nil || h.RequestID != 4 || len(h.Data) != c.chunks[i] || h.Fin != c.fins[i] {
				t.Errorf("%s: frame %d: %s id %d, %d bytes, fin %v, %v; want %d bytes, fin %v", c.name, i, f.Type, h.RequestID, len(h.Data), h.Fin, err, c.chunks[i], c.fins[i])
			}
		}
	}
}

// TestWriterBatches checks that small frames leave in one write and large
// data is written from the caller's slice.
func TestWriterBatches(t *testing.T) {
	var out countingWriter
	w := NewWriter(&out)
	reply := Reply{RequestID: 1, Status: 200, Kind: ReplyStream}
	steps := []struct {
		name  string
		write func() error
	}{
		{"reply", func() error { return w.WriteReply(&reply) }},
		{"haul", func() error { return w.WriteHaul(1, false, []byte("body")) }},
		{"fin", func() error { return w.WriteHaul(1, true, nil) }},
	}
	for _, s := range steps {
		if err := s.write(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	if len(out.writes) != 0 {
		t.Fatalf("small frames were written before Flush: %v", out.writes)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteReady(1); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("c"), 3*WriteBufferLen)
	if err := w.WriteCargo(2, big); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	// The Ready and the Cargo head in one write, then the Cargo's data.
	head, err := reply.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{len(head) + HeaderLen + haulHeadLen + len("body") + HeaderLen + haulHeadLen, HeaderLen + readyLen + HeaderLen + cargoHeadLen, len(big)}
	if !slices.Equal(out.writes, want) {
		t.Errorf("writes %v, want %v", out.writes, want)
	}
	fs, _ := readAll(NewReader(&out))
	types := []Type{TypeReply, TypeHaul, TypeHaul, TypeReady, TypeCargo}
	if len(fs) != len(types) {
		t.Fatalf("%d frames, want %d", len(fs), len(types))
	}
	for i, f := range fs {
		if f.Type != types[i] {
			t.Errorf("frame %d is %s, want %s", i, f.Type, types[i])
		}
	}
}

func TestWriterFlushesWhenFull(t *testing.T) {
	var out countingWriter
	w := NewWriter(&out)
	for i := range WriteBufferLen / 9 {
		if err := w.WriteReady(uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.writes) != 0 || w.Buffered() != WriteBufferLen/9*9 {
		t.Fatalf("writes %v with %d buffered before the buffer was full", out.writes, w.Buffered())
	}
	if err := w.WriteReady(0); err != nil {
		t.Fatal(err)
	}
	if len(out.writes) != 1 || w.Buffered() != 0 {
		t.Errorf("writes %v with %d buffered once full, want one write", out.writes, w.Buffered())
	}
}

type failingWriter struct{ n int }

func (f *failingWriter) Write(p []byte) (int, error) {
	f.n++
	return 0, errors.New("broken pipe")
}

func TestWriterErrorSticks(t *testing.T) {
	fw := &failingWriter{}
	w := NewWriter(fw)
	if err := w.WriteReady(1); err != nil {
		t.Fatalf("WriteReady before any write: %v", err)
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "docking: write frames: broken pipe") {
		t.Fatalf("Flush = %v, want the write error", err)
	}
	calls := []struct {
		name  string
		write func() error
	}{
		{"ready", func() error { return w.WriteReady(2) }},
		{"haul", func() error { return w.WriteHaul(2, true, []byte("x")) }},
		{"cargo", func() error { return w.WriteCargo(2, []byte("x")) }},
		{"hail", func() error { return w.WriteHail(2, 0) }},
		{"encoded", func() error { return w.WriteEncoded([]byte{1}) }},
		{"dock", func() error { return w.WriteDock(Dock{Version: 3}) }},
		{"flush", w.Flush},
	}
	for _, c := range calls {
		if err := c.write(); err == nil {
			t.Errorf("%s after a failed write succeeded", c.name)
		}
	}
	if fw.n != 1 {
		t.Errorf("%d writes reached the link, want 1", fw.n)
	}
}

func TestWriteCargoTooLarge(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	err := w.WriteCargo(1, make([]byte, MaxFramePayload-cargoHeadLen+1))
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("WriteCargo = %v, want ErrFrameTooLarge", err)
	}
}

// TestWriterEveryMessage writes each message through a Writer and reads
// it back.
func TestWriterEveryMessage(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	var hb HailBuilder
	hb.Start(nil, 8, 0)
	hb.Param("PATH_INFO", "/")
	hail, err := hb.Finish()
	if err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		typ   Type
		write func() error
	}{
		{TypeDock, func() error { return w.WriteDock(Dock{Version: 1, Ship: "s"}) }},
		{TypeMoored, func() error { return w.WriteMoored(Moored{Version: 1}) }},
		{TypeBoarding, func() error { return w.WriteBoarding(Boarding{ConnID: 1, Path: "/"}) }},
		{TypeDisembark, func() error { return w.WriteDisembark(Disembark{ConnID: 1, Code: 1000}) }},
		{TypeCargo, func() error { return w.WriteCargo(1, []byte("m")) }},
		{TypeHail, func() error { return w.WriteHail(7, 1, pair("REQUEST_METHOD", "PUT")) }},
		{TypeHail, func() error { return w.WriteEncoded(hail) }},
		{TypeHaul, func() error { return w.WriteHaul(7, true, []byte("x")) }},
		{TypeReply, func() error { return w.WriteReply(&Reply{RequestID: 7, Status: 200, Kind: ReplyEmpty}) }},
		{TypeReady, func() error { return w.WriteReady(7) }},
	}
	for _, c := range writes {
		if err := c.write(); err != nil {
			t.Fatalf("%s: %v", c.typ, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fs, _ := readAll(NewReader(&out))
	if len(fs) != len(writes) {
		t.Fatalf("%d frames, want %d", len(fs), len(writes))
	}
	for i, f := range fs {
		if f.Type != writes[i].typ {
			t.Errorf("frame %d is %s, want %s", i, f.Type, writes[i].typ)
		}
	}
	if err := w.WriteReply(&Reply{Status: 42}); err == nil {
		t.Error("WriteReply of status 42 succeeded")
	}
}
