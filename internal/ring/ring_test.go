package ring

import (
	"slices"
	"testing"
)

// TestRing: a ring keeps the newest items in order, however many were pushed.
func TestRing(t *testing.T) {
	tests := []struct {
		name   string
		cap    int
		pushed int
		last   int
		want   []int
	}{
		{"empty", 3, 0, -1, []int{}},
		{"not full", 3, 2, -1, []int{0, 1}},
		{"exactly full", 3, 3, -1, []int{0, 1, 2}},
		{"wrapped", 3, 7, -1, []int{4, 5, 6}},
		{"last two of wrapped", 3, 7, 2, []int{5, 6}},
		{"last more than kept", 3, 2, 10, []int{0, 1}},
		{"capacity below one keeps one", 0, 5, -1, []int{4}},
	}
	for _, tt := range tests {
		r := New[int](tt.cap)
		for i := range tt.pushed {
			r.Push(i)
		}
		if got := r.Last(tt.last); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Last(%d) = %v, want %v", tt.name, tt.last, got, tt.want)
		}
		if r.Len() != len(tt.want) && tt.last < 0 {
			t.Errorf("%s: Len() = %d, want %d", tt.name, r.Len(), len(tt.want))
		}
	}
}
