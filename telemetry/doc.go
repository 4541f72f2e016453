// Package telemetry is how the mothership reports on itself: Prometheus
// metrics for the fleet and the request path, the /health endpoint, and the
// log that interleaves the processes' output with the supervisor's events.
package telemetry
