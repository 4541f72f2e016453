package docking

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// wsBay is a fake WebSocket bay: it hands each link's frames to serve,
// one link at a time.
func wsBay(t *testing.T, serve func(r *Reader, w *Writer)) (socket string) {
	t.Helper()
	return wsBayDocking(t, Dock{Version: VersionWebSocket, Ship: "ws"}, serve)
}

// wsBayDocking is wsBay docking with d.
func wsBayDocking(t *testing.T, d Dock, serve func(r *Reader, w *Writer)) (socket string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "dk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket = filepath.Join(dir, "ws.sock")
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r, w := NewReader(c), NewWriter(c)
			if _, err := BayHandshake(r, w, d); err == nil {
				serve(r, w)
			}
			c.Close()
		}
	}()
	return socket
}

// echoWS echoes each Cargo; "close" gets Disembark 4000; Disembarks from
// the mothership are reported on left.
func echoWS(left chan<- Disembark) func(r *Reader, w *Writer) {
	return func(r *Reader, w *Writer) {
		for {
			f, err := r.Next()
			if err != nil {
				return
			}
			switch f.Type {
			case TypeCargo:
				var c Cargo
				c.Decode(f.Payload)
				if string(c.Data) == "close" {
					w.WriteDisembark(Disembark{ConnID: c.ConnID, Code: 4000, Reason: "bye"})
				} else {
					w.WriteCargo(c.ConnID, c.Data)
				}
				w.Flush()
			case TypeDisembark:
				var d Disembark
				d.Decode(f.Payload)
				left <- d
			}
		}
	}
}

func dockWS(t *testing.T, socket string) *Berth {
	t.Helper()
	b := NewBerth(BerthConfig{Name: "ws", Version: VersionWebSocket})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Dock(ctx, socket, 1); err != nil {
		t.Fatal(err)
	}
	return b
}

func receive(t *testing.T, p *Passenger) string {
	t.Helper()
	select {
	case m := <-p.Messages():
		return string(m.Data)
	case <-time.After(5 * time.Second):
		t.Fatalf("passenger %d: no message within 5s", p.ID)
		return ""
	}
}

func TestMuxKeepsPassengersApart(t *testing.T) {
	left := make(chan Disembark, 10)
	b := dockWS(t, wsBay(t, echoWS(left)))
	var ps []*Passenger
	for range 50 {
		p, err := b.Board(Boarding{Path: "/cable", RemoteAddr: "127.0.0.1", Headers: map[string]string{"origin": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	for i, p := range ps {
		for j := range 3 {
			p.Send(fmt.Appendf(nil, "p%d m%d", i, j), false)
		}
	}
	for i, p := range ps {
		for j := range 3 {
			if got, want := receive(t, p), fmt.Sprintf("p%d m%d", i, j); got != want {
				t.Fatalf("passenger %d got %q, want %q", i, got, want)
			}
		}
	}
	if st := b.Stats(); st.Passengers != 50 {
		t.Errorf("stats: %d passengers, want 50", st.Passengers)
	}
	ps[0].Leave(1000, "done")
	select {
	case d := <-left:
		if d.ConnID != ps[0].ID || d.Code != 1000 || d.Reason != "done" {
			t.Errorf("the bay got %+v, want passenger %d leaving with 1000 done", d, ps[0].ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the bay was not told the client left")
	}
}

func TestMuxBayDisembarksAPassenger(t *testing.T) {
	b := dockWS(t, wsBay(t, echoWS(make(chan Disembark, 10))))
	p, err := b.Board(Boarding{Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	p.Send([]byte("close"), false)
	select {
	case <-p.Gone():
		if code, reason := p.CloseReason(); code != 4000 || reason != "bye" {
			t.Errorf("close reason %d %q, want 4000 bye", code, reason)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the bay's Disembark did not end the passenger")
	}
}

func TestMuxLinkLossEndsEveryPassenger(t *testing.T) {
	boarded := make(chan struct{})
	b := dockWS(t, wsBay(t, func(r *Reader, w *Writer) {
		for range 3 {
			r.Next()
		}
		<-boarded // then the link closes
	}))
	var ps []*Passenger
	for range 3 {
		p, err := b.Board(Boarding{Path: "/"})
		if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	close(boarded)
	for _, p := range ps {
		select {
		case <-p.Gone():
			if code, _ := p.CloseReason(); code != CloseInternal {
				t.Errorf("passenger %d: code %d, want %d", p.ID, code, CloseInternal)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("passenger %d outlived its link", p.ID)
		}
	}
}

// TestMuxDocksANewLinkWhenOneBreaks: a bay that outlives its link gets a
// new one, and new clients board it.
func TestMuxDocksANewLinkWhenOneBreaks(t *testing.T) {
	links := 0
	left := make(chan Disembark, 10)
	b := dockWS(t, wsBay(t, func(r *Reader, w *Writer) {
		if links++; links == 1 {
			return // the first link breaks at once
		}
		echoWS(left)(r, w)
	}))
	deadline := time.Now().Add(5 * time.Second)
	for {
		p, err := b.Board(Boarding{Path: "/"})
		if err == nil && p.Send([]byte("again"), false) == nil {
			select {
			case m := <-p.Messages():
				if string(m.Data) != "again" {
					t.Fatalf("on the new link: %q", m.Data)
				}
				return
			case <-p.Gone(): // boarded the link that broke: board again
			case <-time.After(5 * time.Second):
				t.Fatal("no echo within 5s")
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new link within 5s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMuxSlowPassengerIsClosed(t *testing.T) {
	flood := func(r *Reader, w *Writer) {
		f, err := r.Next()
		if err != nil {
			return
		}
		var bd Boarding
		bd.Decode(f.Payload)
		for range PassengerQueue + 10 {
			w.WriteCargo(bd.ConnID, []byte("tick"))
		}
		w.Flush()
		r.Next()
	}
	b := dockWS(t, wsBay(t, flood))
	p, err := b.Board(Boarding{Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Gone():
		if code, _ := p.CloseReason(); code != ClosePolicy {
			t.Errorf("code %d, want %d", code, ClosePolicy)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a passenger that read nothing was not closed")
	}
	if n := len(p.Messages()); n != PassengerQueue {
		t.Errorf("%d messages queued, want the bound %d", n, PassengerQueue)
	}
}

// TestMuxKeepsTheOpcodeOnLinksThatAgreed: on a link whose Dock said Binary,
// a binary message goes to the bay as Freight and the bay's Freight comes
// back marked binary; on a link that did not, binary messages go as Cargo,
// all the protocol had.
func TestMuxKeepsTheOpcodeOnLinksThatAgreed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		binary bool // the bay's Dock.Binary
		want   Type // what a binary message reaches the bay as
	}{
		{"a bay that takes Freight", true, TypeFreight},
		{"a bay that does not", false, TypeCargo},
	} {
		got := make(chan Type, 4)
		socket := wsBayDocking(t, Dock{Version: VersionWebSocket, Ship: "ws", Binary: tc.binary}, func(r *Reader, w *Writer) {
			for {
				f, err := r.Next()
				if err != nil {
					return
				}
				var c Cargo
				switch f.Type {
				case TypeCargo:
					c.Decode(f.Payload)
				case TypeFreight:
					c.DecodeFreight(f.Payload)
				default:
					continue
				}
				got <- f.Type
				// The bay answers binary with binary, when it may.
				if f.Type == TypeFreight {
					w.WriteFreight(c.ConnID, c.Data)
				} else {
					w.WriteCargo(c.ConnID, c.Data)
				}
				w.Flush()
			}
		})
		b := dockWS(t, socket)
		p, err := b.Board(Boarding{Path: "/"})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, binary := range []bool{false, true} {
			if err := p.Send([]byte{0xff, 0x00, byte(len(tc.name))}, binary); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			want := TypeCargo
			if binary {
				want = tc.want
			}
			if typ := <-got; typ != want {
				t.Errorf("%s: a message with binary %v reached the bay as %s, want %s", tc.name, binary, typ, want)
			}
			select {
			case m := <-p.Messages():
				if m.Binary != (want == TypeFreight) || len(m.Data) != 3 {
					t.Errorf("%s: the echo came back %+v, want binary %v", tc.name, m, want == TypeFreight)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: no echo", tc.name)
			}
		}
		b.Undock(socket)
	}
}
