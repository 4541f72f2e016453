package shipgate

import (
	"context"
	"testing"
	"time"
)

// awaitIn runs Await on its own goroutine and returns its verdict channel.
func awaitIn(g *Gate, ctx context.Context, since Mark) <-chan Verdict {
	out := make(chan Verdict, 1)
	go func() { out <- g.Await(ctx, since) }()
	return out
}

// waitHeld waits until n requests are held.
func waitHeld(t *testing.T, g *Gate, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for g.Waiting() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d held, want %d", g.Waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAwaitEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		from State
		then func(g *Gate, cancel context.CancelFunc)
		want Verdict
	}{
		{"the ship comes up", Starting, func(g *Gate, _ context.CancelFunc) { g.Set(Up) }, Ready},
		{"an unhealthy ship restarts and comes up", Unhealthy, func(g *Gate, _ context.CancelFunc) { g.Set(Starting); g.Set(Up) }, Ready},
		{"the ship goes down", Starting, func(g *Gate, _ context.CancelFunc) { g.Set(Down) }, Refused},
		{"shutdown releases it", Starting, func(g *Gate, _ context.CancelFunc) { g.Release() }, Refused},
		{"the client leaves", Starting, func(_ *Gate, cancel context.CancelFunc) { cancel() }, Gone},
	} {
		g := New()
		g.Configure(time.Minute, 4)
		g.Set(tc.from)
		ctx, cancel := context.WithCancel(context.Background())
		got := awaitIn(g, ctx, Mark{})
		waitHeld(t, g, 1)
		tc.then(g, cancel)
		if v := <-got; v != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, v, tc.want)
		}
		if g.Waiting() != 0 {
			t.Errorf("%s: %d still counted as held", tc.name, g.Waiting())
		}
		cancel()
	}
}

func TestAwaitRefusesAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hold  time.Duration
		state State
	}{
		{"no hold configured", 0, Starting},
		{"a ship that is down", time.Minute, Down},
	} {
		g := New()
		g.Configure(tc.hold, 4)
		g.Set(tc.state)
		if v := g.Await(context.Background(), Mark{}); v != Refused {
			t.Errorf("%s: %v, want refused", tc.name, v)
		}
	}
}

func TestAwaitExpires(t *testing.T) {
	g := New()
	g.Configure(20*time.Millisecond, 4)
	if v := g.Await(context.Background(), Mark{}); v != Expired {
		t.Errorf("a ship that stays starting: %v, want expired", v)
	}
}

func TestFullQueueRefusesAtOnce(t *testing.T) {
	g := New()
	g.Configure(time.Minute, 2)
	first, second := awaitIn(g, context.Background(), Mark{}), awaitIn(g, context.Background(), Mark{})
	waitHeld(t, g, 2)
	if v := g.Await(context.Background(), Mark{}); v != Refused {
		t.Errorf("a third request on a queue of 2: %v, want refused", v)
	}
	g.Set(Up)
	if a, b := <-first, <-second; a != Ready || b != Ready {
		t.Errorf("the two held: %v, %v, want ready", a, b)
	}
}

// A request whose connection failed while the gate still said up waits for
// the next run, not for the state it saw.
func TestAwaitSinceWaitsForTheNextRun(t *testing.T) {
	g := New()
	g.Configure(time.Minute, 4)
	g.Set(Up)
	seen := g.Mark()
	got := awaitIn(g, context.Background(), seen)
	waitHeld(t, g, 1)
	select {
	case v := <-got:
		t.Fatalf("returned %v while the run that failed is still marked up", v)
	case <-time.After(20 * time.Millisecond):
	}
	g.Set(Starting)
	g.Set(Up)
	if v := <-got; v != Ready {
		t.Errorf("after the next run came up: %v, want ready", v)
	}
}

func TestUpCheckAllocatesNothing(t *testing.T) {
	g := New()
	g.Set(Up)
	var nilGate *Gate
	if n := testing.AllocsPerRun(1000, func() {
		if !g.Mark().Up() || !nilGate.Mark().Up() {
			t.Fatal("an up gate reads as not up")
		}
	}); n != 0 {
		t.Errorf("%v allocations per check, want 0", n)
	}
}

func BenchmarkUpCheck(b *testing.B) {
	g := New()
	g.Set(Up)
	b.ReportAllocs()
	for b.Loop() {
		if !g.Mark().Up() {
			b.Fatal("not up")
		}
	}
}
