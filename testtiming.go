package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/mothership-go/mothership/fleet"
)

// testTimingEnv names the variable through which the end-to-end tests
// shorten the supervisor's clocks (restart backoff, the open circuit, the
// stable period), so that a test of five crashes takes a second, not
// sixteen. It is for tests: a run that has it says so in its log.
const testTimingEnv = "MOTHERSHIP_TEST_TIMING"

// testTiming reads testTimingEnv, `backoff=20ms,circuit_open=1s,stable=2s`,
// into the fleet's timing over base; an empty value changes nothing.
func testTiming(value string, base fleet.Timing) (fleet.Timing, error) {
	if value == "" {
		return base, nil
	}
	fields := map[string]*time.Duration{
		"backoff":      &base.BackoffBase,
		"circuit_open": &base.CircuitOpen,
		"stable":       &base.StableAfter,
		"ready_poll":   &base.ReadyPoll,
		"memory_every": &base.MemoryEvery,
	}
	for _, kv := range strings.Split(value, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		field, ok := fields[k]
		if !ok {
			return base, fmt.Errorf("%s: unknown clock %q; known: backoff, circuit_open, stable, ready_poll, memory_every", testTimingEnv, k)
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return base, fmt.Errorf("%s: %s=%q is not a positive duration", testTimingEnv, k, v)
		}
		*field = d
	}
	return base, nil
}
