package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/fleet"
)

func TestTestTimingReadsTheClocks(t *testing.T) {
	base := fleet.Timing{Grace: 5 * time.Second}
	for _, tc := range []struct {
		name, value string
		want        fleet.Timing
		err         string
	}{
		{"unset", "", base, ""},
		{"two clocks", "backoff=20ms, circuit_open=1s", fleet.Timing{Grace: 5 * time.Second, BackoffBase: 20 * time.Millisecond, CircuitOpen: time.Second}, ""},
		{"an unknown clock", "backof=20ms", base, `unknown clock "backof"`},
		{"not a duration", "stable=soon", base, `stable="soon" is not a positive duration`},
		{"zero", "stable=0s", base, "is not a positive duration"},
	} {
		got, err := testTiming(tc.value, base)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), testTimingEnv) {
				t.Errorf("%s: error %v, want %q naming %s", tc.name, err, tc.err, testTimingEnv)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}
