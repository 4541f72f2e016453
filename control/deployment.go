package control

import (
	"fmt"
	"time"

	"github.com/mothership-go/mothership/telemetry"
)

// Deployment is the deployment view in a Status: what this mothership
// knows of the others it shares its rate limits with through a store.
type Deployment struct {
	// Store is the store's URL, its password left out.
	Store string `json:"store"`
	// Servers is the live motherships the store counted at the last sync
	// that reached it, this one included; 0 before the first.
	Servers int `json:"servers"`
	// LastSync is when the last sync ended, reached or not; zero before
	// the first (Syncs is 0 then).
	LastSync time.Time `json:"last_sync"`
	// LastSyncAge is how long before the snapshot that was, in seconds.
	LastSyncAge float64 `json:"last_sync_age_seconds"`
	// Syncs counts the syncs' round trips; Failures those the store did
	// not answer.
	Syncs    uint64 `json:"syncs"`
	Failures uint64 `json:"sync_failures"`
	// Fallback is true while the store is unreachable: each server then
	// limits to its share of the last Servers, on its own.
	Fallback bool `json:"fallback"`
	// LastError is the last failed sync's error; "" if none failed.
	LastError string `json:"last_error,omitempty"`
}

// deployment is the view of d at now.
func deployment(d telemetry.Deployment, now time.Time) *Deployment {
	out := &Deployment{Store: d.Store, Servers: d.Servers, LastSync: d.LastSync, Syncs: d.Syncs,
		Failures: d.Failures, Fallback: d.Fallback, LastError: d.LastError}
	if !d.LastSync.IsZero() {
		out.LastSyncAge = now.Sub(d.LastSync).Seconds()
	}
	return out
}

// DeploymentLine is the overview's line on the deployment, after the
// headline.
//
// Examples:
//
//	deployment redis://cache:6379/0 · 3 servers · synced 120ms ago · 1520 syncs, 0 failed
//	deployment redis://cache:6379/0 · FALLBACK: the store is unreachable, each server limits to its share of 3 · synced 80ms ago · 1610 syncs, 12 failed · dial tcp 10.0.0.5:6379: connection refused
func DeploymentLine(d Deployment) string {
	state := fmt.Sprintf("%d servers", d.Servers)
	if d.Servers == 1 {
		state = "1 server"
	}
	if d.Fallback {
		state = fmt.Sprintf("FALLBACK: the store is unreachable, each server limits to its share of %d", max(d.Servers, 1))
	}
	synced := "not synced yet"
	if d.Syncs > 0 {
		synced = "synced " + Age(time.Duration(d.LastSyncAge*float64(time.Second))) + " ago"
	}
	line := fmt.Sprintf("deployment %s · %s · %s · %d syncs, %d failed", d.Store, state, synced, d.Syncs, d.Failures)
	if d.Fallback && d.LastError != "" {
		line += " · " + d.LastError
	}
	return line
}

// Age is d as the overview says how long ago something was: in
// milliseconds under a second (syncs are that frequent), else as Uptime.
func Age(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", max(d, 0).Milliseconds())
	}
	return Uptime(d)
}
