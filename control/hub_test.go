package control

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// TestHubBounded: each process keeps its last lines only, and a tail of
// every process interleaves them as they came.
func TestHubBounded(t *testing.T) {
	h := NewHub(3)
	for i := range 10 {
		h.Add(telemetry.Entry{Process: "chatty", Text: fmt.Sprint(i)})
		if i == 5 {
			h.Add(telemetry.Entry{Process: "quiet", Text: "q"})
		}
	}
	tests := []struct {
		name string
		q    LogQuery
		want string
	}{
		{"all of chatty", LogQuery{Process: "chatty", Tail: -1}, "7 8 9"},
		{"all processes", LogQuery{Tail: -1}, "q 7 8 9"},
		{"last two", LogQuery{Tail: 2}, "8 9"},
		{"none", LogQuery{}, ""},
	}
	for _, tt := range tests {
		var got []string
		h.Read(context.Background(), tt.q, func(e telemetry.Entry) error {
			got = append(got, e.Text)
			return nil
		})
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestHubSlowFollower: a follower that falls behind does not hold up the
// log; it is told how many lines it missed.
func TestHubSlowFollower(t *testing.T) {
	h := NewHub(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first, resume := make(chan struct{}), make(chan struct{})
	var got []telemetry.Entry
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.Read(ctx, LogQuery{Follow: true}, func(e telemetry.Entry) error {
			if got = append(got, e); len(got) == 1 {
				close(first)
				<-resume // stuck while the log goes on
			}
			if len(got) == 3 {
				cancel()
			}
			return nil
		})
	}()
	for !h.following() {
		time.Sleep(time.Millisecond)
	}
	h.Add(telemetry.Entry{Process: "chatty", Text: "first"})
	<-first
	for i := range followBuffer + 10 {
		h.Add(telemetry.Entry{Process: "chatty", Text: fmt.Sprint(i)})
	}
	close(resume)
	<-done
	if len(got) < 3 || got[1].Level != "warn" || !strings.Contains(got[1].Text, "10 log lines dropped") {
		t.Errorf("after falling behind the follower got %+v, want a note of 10 dropped lines", got)
	}
}

// following reports whether a follower is subscribed.
func (h *Hub) following() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}

// TestHubTailThenFollow: a follow that starts while lines keep coming
// gets every line exactly once, in order: the tail up to the moment it
// subscribed, then each new one, with none lost between the two.
func TestHubTailThenFollow(t *testing.T) {
	const lines = 2000
	h := NewHub(0)
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i := range lines {
			h.Add(telemetry.Entry{Process: "chatty", Text: fmt.Sprint(i)})
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	next := 0
	errDone := errors.New("all lines read")
	err := h.Read(ctx, LogQuery{Tail: -1, Follow: true}, func(e telemetry.Entry) error {
		if e.Text != fmt.Sprint(next) {
			return fmt.Errorf("line %q where %d was next", e.Text, next)
		}
		if next++; next == lines {
			return errDone
		}
		return nil
	})
	<-wrote
	if !errors.Is(err, errDone) {
		t.Fatalf("tail then follow while %d lines were written: %v after %d lines in order", lines, err, next)
	}
}
