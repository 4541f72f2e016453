// Package fleet runs a manifest's processes: prelaunch jobs to completion,
// then ships and bays in dependency order, each waited on until it is ready;
// it keeps them healthy, restarts crashed ones behind a circuit breaker, and
// stops them dependents first. It knows nothing of HTTP routing.
package fleet

import (
	"time"
)

// State is the lifecycle state of one process.
type State string

// The states of a process.
const (
	// Pending processes wait for their dependencies.
	Pending State = "pending"
	// Starting processes run but are not ready yet.
	Starting State = "starting"
	// Ready processes passed their readiness check (or exited 0, for a oneshot).
	Ready State = "ready"
	// Backoff processes crashed and wait to be restarted.
	Backoff State = "backoff"
	// CircuitOpen processes crashed too often in a row and are not restarted
	// until the circuit's cool-off ends.
	CircuitOpen State = "circuit_open"
	// Stopping processes were sent SIGTERM.
	Stopping State = "stopping"
	// Stopped processes are gone.
	Stopped State = "stopped"
)

// Phase is the lifecycle phase of the whole mothership.
type Phase string

// The phases, in the order a launch goes through them; Failed ends a launch
// that could not finish, Crashed a fleet that lost a critical ship.
const (
	Initializing Phase = "Initializing"
	Preflight    Phase = "Preflight"
	Electing     Phase = "Electing"
	Prelaunch    Phase = "Prelaunch"
	Docking      Phase = "Docking"
	Launching    Phase = "Launching"
	Running      Phase = "Running"
	Mayday       Phase = "Mayday"
	Draining     Phase = "Draining"
	Landed       Phase = "Landed"
	Failed       Phase = "Failed"
	Crashed      Phase = "Crashed"
)

// Logger receives what the fleet has to say.
type Logger interface {
	// Output is one line a process wrote (without its newline); stream is
	// "stdout" or "stderr".
	Output(process, stream, line string)
	// Event is a supervisor event; level is "debug", "info", "warn" or
	// "error", and kv are key, value pairs.
	Event(level, msg string, kv ...any)
}

// Observer receives the numbers that metrics export. Calls come from the
// fleet's goroutines and must not block.
type Observer interface {
	// State reports a process's new state.
	State(process, group string, s State)
	// Health reports the result of a health check that changed the verdict.
	Health(process, group string, healthy bool)
	// Restart counts one restart of a crashed process.
	Restart(process, group string)
	// Memory reports a sample of a process's resident and virtual memory, in bytes.
	Memory(process, group string, rss, virtual uint64)
}

// Timing holds the supervisor's clocks; tests shorten them. Zero fields take
// the defaults in brackets.
type Timing struct {
	// Grace is how long a process has between SIGTERM and SIGKILL [10s].
	Grace time.Duration
	// BackoffBase is the first restart delay; it doubles per crash in a row [1s].
	BackoffBase time.Duration
	// CircuitAfter is the crash in a row that opens the circuit [5].
	CircuitAfter int
	// CircuitOpen is how long an open circuit waits before one half-open try [5m].
	CircuitOpen time.Duration
	// StableAfter is how long a process must run to reset its crash count [30s].
	StableAfter time.Duration
	// ReadyPoll is the first delay between readiness checks; it backs off [50ms].
	ReadyPoll time.Duration
	// MemoryEvery is the memory sampling period [10s].
	MemoryEvery time.Duration
}
