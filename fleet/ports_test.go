package fleet

import (
	"net"
	"slices"
	"strconv"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

// TestAssignPortsDrawsBelowTheEphemeralRange: every port a ship gets lies
// from autoPortFloor up to the kernel's ephemeral range, where no
// outgoing connection takes it before the ship listens; no two ships get
// the same one, and none is a port the mothership declares.
func TestAssignPortsDrawsBelowTheEphemeralRange(t *testing.T) {
	first, ok := ephemeralFirst()
	if !ok || first <= autoPortFloor {
		t.Skipf("ephemeral range here starts at %d (known: %v): AssignPorts lets the kernel pick", first, ok)
	}
	m := &manifest.Manifest{}
	m.Mothership.Binds = []*manifest.Bind{{Name: "http", Addr: manifest.Addr{Network: "tcp", Address: "127.0.0.1:20001"}}}
	for i := range 20 {
		m.Ships = append(m.Ships, &manifest.Ship{Process: manifest.Process{Name: "s" + strconv.Itoa(i)}, AutoPort: true})
	}
	if err := AssignPorts(m); err != nil {
		t.Fatal(err)
	}
	seen := map[int]string{}
	for _, s := range m.Ships {
		p := s.Bind.Port()
		if p < autoPortFloor || p >= first {
			t.Errorf("%s: port %d, want in [%d, %d)", s.Name, p, autoPortFloor, first)
		}
		if p == 20001 {
			t.Errorf("%s: port %d is the mothership's bind", s.Name, p)
		}
		if other, dup := seen[p]; dup {
			t.Errorf("%s: port %d, also given to %s", s.Name, p, other)
		}
		seen[p] = s.Name
	}
}

// TestPortDraw: a draw from a span skips a port where something listens
// and a declared port, wraps around from its start, and once the span is
// used up (or empty) takes the kernel's choice, outside the span.
func TestPortDraw(t *testing.T) {
	tests := []struct {
		name     string
		n, start int
		held     []int // offsets in the span where the test listens
		declared []int // offsets in the span the mothership declares
		want     int   // offset drawn; -1: the kernel's choice
	}{
		{"free port of the span", 1, 0, nil, nil, 0},
		{"taken port is skipped", 2, 0, []int{0}, nil, 1},
		{"declared port is skipped", 2, 0, nil, []int{0}, 1},
		{"wraps around from the start", 2, 1, []int{1}, nil, 0},
		{"full span falls back to the kernel", 2, 0, []int{0, 1}, nil, -1},
		{"declared span falls back to the kernel", 1, 0, nil, []int{0}, -1},
		{"empty span is the kernel's choice", 0, 0, nil, nil, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, lns := freeSpan(t, tt.n)
			declared := map[string]bool{}
			for _, o := range tt.declared {
				declared[strconv.Itoa(lo+o)] = true
			}
			// The span's ports are free but for those the case holds.
			for o, l := range lns {
				if !slices.Contains(tt.held, o) {
					l.Close()
				}
			}
			d := newSpanDraw(declared, lo, tt.n)
			d.start = tt.start
			defer d.release()
			s, err := d.take()
			if err != nil {
				t.Fatalf("%s: take: %v", tt.name, err)
			}
			port, _ := strconv.Atoi(s)
			if tt.want >= 0 && port != lo+tt.want {
				t.Errorf("%s: port %d, want %d", tt.name, port, lo+tt.want)
			}
			if tt.want < 0 && (port == 0 || port >= lo && port < lo+tt.n) {
				t.Errorf("%s: port %d, want the kernel's, outside [%d, %d)", tt.name, port, lo, lo+tt.n)
			}
			if _, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", s)); err == nil {
				t.Errorf("%s: port %d is not held until release", tt.name, port)
			}
		})
	}
}

// freeSpan finds n consecutive loopback ports where nothing listens and
// returns the first with a listener on each (closed at the end of the
// test). They lie in 4000–9999, where nothing of this project draws a
// port (AssignPorts from 20000, the root package's freePort 10000–19999)
// and no kernel's default ephemeral range starts, so that a port the test
// frees for take stays free until take listens on it.
func freeSpan(t *testing.T, n int) (int, []net.Listener) {
	t.Helper()
	for lo := 4000; lo+n <= 10000; lo += n + 1 {
		var lns []net.Listener
		for i := range n {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(lo+i)))
			if err != nil {
				break
			}
			lns = append(lns, l)
		}
		if len(lns) == n {
			t.Cleanup(func() {
				for _, l := range lns {
					l.Close()
				}
			})
			return lo, lns
		}
		for _, l := range lns {
			l.Close()
		}
	}
	t.Fatalf("no %d consecutive free ports", n)
	return 0, nil
}
