package control

import (
	"context"
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
