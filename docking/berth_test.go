package docking

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeBay listens on a Unix socket and docks every link with threads in
// its Dock; serve then runs the link (nil: answer every Hail with
// "hello"). It counts the links it accepted.
type fakeBay struct {
	socket string
	ln     net.Listener
	links  atomic.Int32
	serve  func(r *Reader, w *Writer)
}

func startFakeBay(t *testing.T, threads int, serve func(r *Reader, w *Writer)) *fakeBay {
	t.Helper()
	dir, err := os.MkdirTemp("", "dk")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	b := &fakeBay{socket: filepath.Join(dir, "bay.sock"), serve: serve}
	if b.serve == nil {
		b.serve = helloBay
	}
	b.ln, err = net.Listen("unix", b.socket)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.ln.Close() })
	go func() {
		for {
			c, err := b.ln.Accept()
			if err != nil {
				return
			}
			b.links.Add(1)
			go func() {
				defer c.Close()
				r, w := NewReader(c), NewWriter(c)
				if _, err := BayHandshake(r, w, Dock{Version: VersionHTTP, Ship: "fake", PID: 4242, Threads: threads}); err != nil {
					return
				}
				b.serve(r, w)
			}()
		}
	}()
	return b
}

// helloBay answers each request with a stream "hello", then Ready.
func helloBay(r *Reader, w *Writer) {
	for {
		var h Hail
		f, err := r.Next()
		if err != nil || f.Expect(TypeHail) != nil || h.Decode(f.Payload) != nil {
			return
		}
		w.WriteReply(&Reply{RequestID: h.RequestID, Status: 200, Kind: ReplyStream})
		w.WriteHaul(h.RequestID, false, []byte("hello"))
		w.WriteHaul(h.RequestID, true, nil)
		w.WriteReady(h.RequestID)
		if w.Flush() != nil {
			return
		}
	}
}

// roundTrip sends a GET over a claimed link and reads the whole answer.
func roundTrip(t *testing.T, b *Berth) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := b.Claim(ctx)
	if err != nil {
		return "", err
	}
	c.StartHail(0).Param("REQUEST_METHOD", "GET")
	if err := c.SendHail(); err != nil {
		c.Abandon()
		return "", err
	}
	if _, err := c.ReadReply(); err != nil {
		c.Abandon()
		return "", err
	}
	body, err := io.ReadAll(c.Body())
	if err != nil {
		c.Abandon()
		return "", err
	}
	return string(body), c.Finish()
}

func dockedBerth(t *testing.T, bay *fakeBay, workers int) *Berth {
	t.Helper()
	b := NewBerth(BerthConfig{Name: "fake", Version: VersionHTTP, Workers: workers})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Dock(ctx, bay.socket, 1); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Undock(bay.socket) })
	return b
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBerthPoolSizeFromDock(t *testing.T) {
	for _, tc := range []struct {
		name             string
		threads, workers int
		want             int32
	}{
		{"threads alone", 3, 0, 3},
		{"threads times workers", 2, 3, 6},
		{"a Dock without threads", 0, 0, 1},
		{"a Dock claiming absurd threads", 1 << 62, 4, MaxLinks},
	} {
		bay := startFakeBay(t, tc.threads, nil)
		b := dockedBerth(t, bay, tc.workers)
		waitUntil(t, tc.name+": links", func() bool { return bay.links.Load() == tc.want })
		time.Sleep(50 * time.Millisecond)
		if got := bay.links.Load(); got != tc.want {
			t.Errorf("%s: %d links, want %d", tc.name, got, tc.want)
		}
		if body, err := roundTrip(t, b); err != nil || body != "hello" {
			t.Errorf("%s: %q, %v", tc.name, body, err)
		}
	}
}

func TestBerthConcurrentRequestsShareThePool(t *testing.T) {
	bay := startFakeBay(t, 4, nil)
	b := dockedBerth(t, bay, 0)
	waitUntil(t, "the pool's 4 links", func() bool { return bay.links.Load() == 4 })
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if body, err := roundTrip(t, b); err != nil || body != "hello" {
					errs <- errors.Join(err, errors.New("body "+body))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := bay.links.Load(); n != 4 {
		t.Errorf("400 requests over a pool of 4 opened %d links", n)
	}
	c, err := b.Claim(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st := b.Stats(); !st.Docked || st.Idle != 3 || st.Busy != 1 {
		t.Errorf("one link claimed: stats %+v, want docked, 3 idle, 1 busy", st)
	}
	c.Abandon()
	b.Undock(bay.socket)
	if st := b.Stats(); st.Docked || st.Idle != 0 || st.Busy != 0 {
		t.Errorf("undocked: stats %+v", st)
	}
}

func TestBerthNotDocked(t *testing.T) {
	b := NewBerth(BerthConfig{Name: "idle", Version: VersionHTTP})
	if _, err := b.Claim(context.Background()); !errors.Is(err, ErrNotDocked) || !strings.Contains(err.Error(), "idle") {
		t.Errorf("claim before any dock: %v, want ErrNotDocked naming the bay", err)
	}
	bay := startFakeBay(t, 1, nil)
	b = dockedBerth(t, bay, 0)
	b.Undock(bay.socket)
	if _, err := b.Claim(context.Background()); !errors.Is(err, ErrNotDocked) {
		t.Errorf("claim after Undock: %v, want ErrNotDocked", err)
	}
}

// TestBerthOutOfStepIsAnError: frames for another request, or of the
// wrong type, fail the request and replace the link; nothing panics.
func TestBerthOutOfStepIsAnError(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(r *Reader, w *Writer)
		want  error
	}{
		{"reply for another request", func(r *Reader, w *Writer) {
			if f, err := r.Next(); err == nil {
				var h Hail
				h.Decode(f.Payload)
				w.WriteReply(&Reply{RequestID: h.RequestID + 1, Status: 200, Kind: ReplyStream})
				w.Flush()
			}
			io.Copy(io.Discard, r.rd)
		}, ErrWrongRequest},
		{"haul for another request", func(r *Reader, w *Writer) {
			if f, err := r.Next(); err == nil {
				var h Hail
				h.Decode(f.Payload)
				w.WriteReply(&Reply{RequestID: h.RequestID, Status: 200, Kind: ReplyStream})
				w.WriteHaul(h.RequestID+7, false, []byte("x"))
				w.Flush()
			}
			io.Copy(io.Discard, r.rd)
		}, ErrWrongRequest},
		{"ready before the reply", func(r *Reader, w *Writer) {
			if f, err := r.Next(); err == nil {
				var h Hail
				h.Decode(f.Payload)
				w.WriteReady(h.RequestID)
				w.Flush()
			}
			io.Copy(io.Discard, r.rd)
		}, ErrUnexpectedType},
		{"link closed mid-body", func(r *Reader, w *Writer) {
			if f, err := r.Next(); err == nil {
				var h Hail
				h.Decode(f.Payload)
				w.WriteReply(&Reply{RequestID: h.RequestID, Status: 200, Kind: ReplyStream})
				w.WriteHaul(h.RequestID, false, []byte("par"))
				w.Flush()
			}
		}, io.ErrUnexpectedEOF},
	} {
		bay := startFakeBay(t, 1, tc.serve)
		b := dockedBerth(t, bay, 0)
		if _, err := roundTrip(t, b); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		// The broken link was replaced: the pool has one again.
		waitUntil(t, tc.name+": a replacement link", func() bool { return bay.links.Load() == 2 })
	}
}

// TestBerthNextRunTakesTheTraffic: docking a second run moves new claims
// to it; a request in flight on the old run finishes there.
func TestBerthNextRunTakesTheTraffic(t *testing.T) {
	old := startFakeBay(t, 1, nil)
	b := dockedBerth(t, old, 0)
	ctx := context.Background()
	inFlight, err := b.Claim(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := startFakeBay(t, 2, nil)
	if err := b.Dock(ctx, next.socket, 2); err != nil {
		t.Fatal(err)
	}
	if body, err := roundTrip(t, b); err != nil || body != "hello" {
		t.Fatalf("after the next run docked: %q, %v", body, err)
	}
	inFlight.StartHail(0).Param("REQUEST_METHOD", "GET")
	if err := inFlight.SendHail(); err != nil {
		t.Fatal(err)
	}
	if _, err := inFlight.ReadReply(); err != nil {
		t.Fatalf("the old run's request in flight: %v", err)
	}
	io.Copy(io.Discard, inFlight.Body())
	if err := inFlight.Finish(); err != nil {
		t.Fatalf("the old run's request in flight: %v", err)
	}
	if got := old.links.Load(); got != 1 {
		t.Errorf("the old run got %d links, want only its first", got)
	}
	b.Undock(old.socket) // the old run ended: the new one stays docked
	if body, err := roundTrip(t, b); err != nil || body != "hello" {
		t.Errorf("after the old run undocked: %q, %v", body, err)
	}
}
