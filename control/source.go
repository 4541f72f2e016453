package control

import (
	"context"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// Source is what the dashboard and the commands read a fleet through.
type Source interface {
	// Status returns a snapshot of the fleet.
	Status(ctx context.Context) (Status, error)
	// Logs calls fn with the log lines q asks for, oldest first: the last
	// q.Tail kept, then, with q.Follow, each new one until ctx ends. fn runs
	// on the caller's goroutine; Logs returns fn's first error.
	Logs(ctx context.Context, q LogQuery, fn func(telemetry.Entry) error) error
	// Restart restarts one ship or bay and waits until it is ready again.
	Restart(ctx context.Context, name string) error
}

// LogQuery says which log lines Source.Logs reads.
type LogQuery struct {
	// Process keeps only one process's lines ("mothership" for the
	// mothership's own events); "" keeps every line.
	Process string `json:"process,omitempty"`
	// Tail is how many of the kept lines come first; 0 none, negative all.
	Tail int `json:"tail,omitempty"`
	// Follow goes on with each new line until the reader stops.
	Follow bool `json:"follow,omitempty"`
}

// Status is a snapshot of a running mothership.
type Status struct {
	// Time is when the snapshot was taken, so that two give rates.
	Time time.Time `json:"time"`
	// Manifest is the manifest file the mothership runs.
	Manifest string `json:"manifest"`
	// PID is the mothership's own process id.
	PID int `json:"pid"`
	// Started is when the mothership started.
	Started time.Time `json:"started"`
	// Phase is the mothership's lifecycle phase (Launching, Running, …).
	Phase string `json:"phase"`
	// Role is the instance's flagship role: flagship, escort or solo.
	Role string `json:"role"`
	// Processes are the ships, then the bays, in declaration order.
	Processes []Process `json:"processes"`
	// Routes are every route's request counts since the start.
	Routes []telemetry.RouteCounts `json:"routes"`
	// Modules are the WASM modules, in declaration order.
	Modules []Module `json:"modules"`
	// Deployment is the view of the motherships sharing the rate limits
	// through a store; nil without one.
	Deployment *Deployment `json:"deployment,omitempty"`
}

// Process is one ship or bay in a Status.
type Process struct {
	// Name is the ship's or bay's name.
	Name string `json:"name"`
	// Group is the ship's group, or the bay's type.
	Group string `json:"group"`
	// Kind is "ship" or "bay".
	Kind string `json:"kind"`
	// State is the lifecycle state: pending, starting, ready, backoff, …
	State string `json:"state"`
	// PID is the current run's process id; 0 when none runs.
	PID int `json:"pid"`
	// Healthy is true while it is ready and its last health check passed.
	Healthy bool `json:"healthy"`
	// Restarts counts restarts after crashes.
	Restarts int `json:"restarts"`
	// HealthRestarts counts restarts after its health check failed
	// retries times in a row (not crashes).
	HealthRestarts int `json:"health_restarts"`
	// RSS is the last sampled resident memory, in bytes.
	RSS uint64 `json:"rss_bytes"`
	// Since is when the current run started; zero when none runs.
	Since time.Time `json:"since"`
	// Routes are the routes that send traffic to it, as "bind path"
	// ("http /api/.*").
	Routes []string `json:"routes"`
}

// Module is one WASM module in a Status.
type Module struct {
	// Name is the module's name in the manifest.
	Name string `json:"name"`
	// ABI is the interface the module speaks: mothership or http-wasm.
	ABI string `json:"abi"`
	// Phase is request, response or both (http-wasm).
	Phase string `json:"phase"`
	// Routes counts its path patterns (its `routes`).
	Routes int `json:"routes"`
	// Calls, Blocks and Errors count its calls, the requests it blocked
	// and the calls that failed.
	Calls  uint64 `json:"calls"`
	Blocks uint64 `json:"blocks"`
	Errors uint64 `json:"errors"`
	// LastError is the last failure's message; "" if none.
	LastError string `json:"last_error,omitempty"`
}
