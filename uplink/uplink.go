// Package uplink checks that a manifest's uplinks, the external services the
// fleet needs, are reachable before anything launches.
//
// Databases, caches and tcp:// uplinks are checked by opening a TCP
// connection; http:// and https:// ones by a GET whose status must be 2xx or
// 3xx (redirects are not followed: a redirect proves the server answers).
// Uplinks on the same host and port share one check, since the second one
// would only test the same socket again; http(s) uplinks share one when
// their URLs, without credentials, are the same.
//
// Results never carry credentials: a target is host:port, or for http(s) the
// URL without its user information and query, and a reason names no URL.
package uplink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// DefaultTimeout bounds a check whose uplink sets no timeout.
const DefaultTimeout = 5 * time.Second

// Result is the outcome of one uplink's check.
type Result struct {
	// Name is the uplink's name.
	Name string
	// Target is what was checked: host:port, or an http(s) URL without
	// credentials or query; empty when the URL could not be read.
	Target string
	// Err is why the check failed, nil when it passed.
	Err error
	// Took is how long the check took.
	Took time.Duration
	// Shared is set when an earlier uplink had the same target, so this one
	// reports that check's outcome instead of running its own.
	Shared bool
}

// Check checks every uplink concurrently and returns one result per uplink,
// in their order. It returns when all checks are done: each is bounded by its
// uplink's timeout, or by the longest one among uplinks that share it.
func Check(ctx context.Context, ups []*manifest.Uplink) []Result {
	rs := make([]Result, len(ups))
	probes := make([]probe, len(ups))
	timeouts := make([]time.Duration, len(ups))
	owner := make([]int, len(ups)) // the index whose check result i reports
	first := map[string]int{}
	for i, up := range ups {
		p, err := plan(up.URL)
		rs[i] = Result{Name: up.Name, Target: p.target, Err: err}
		owner[i] = i
		if err != nil {
			continue
		}
		if j, seen := first[p.key]; seen {
			owner[i], rs[i].Shared = j, true
		} else {
			first[p.key], probes[i] = i, p
		}
		j := owner[i]
		timeouts[j] = max(timeouts[j], cmp.Or(up.Timeout, DefaultTimeout))
	}
	var wg sync.WaitGroup
	for i := range rs {
		if owner[i] != i || rs[i].Err != nil {
			continue
		}
		wg.Go(func() {
			start := time.Now()
			rs[i].Err = probes[i].run(ctx, timeouts[i])
			rs[i].Took = time.Since(start)
		})
	}
	wg.Wait()
	for i := range rs {
		if j := owner[i]; j != i {
			rs[i].Err, rs[i].Took = rs[j].Err, rs[j].Took
		}
	}
	return rs
}

// Failed returns the results whose check failed, in their order.
func Failed(rs []Result) []Result {
	var failed []Result
	for _, r := range rs {
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	return failed
}

// Verify checks the uplinks, writes the table of results to w, and returns an
// error naming every uplink that failed and why, or nil when all passed. It
// writes nothing when there are no uplinks.
func Verify(ctx context.Context, w io.Writer, ups []*manifest.Uplink) error {
	rs := Check(ctx, ups)
	WriteTable(w, rs)
	var errs []error
	for _, r := range Failed(rs) {
		if r.Target == "" {
			errs = append(errs, fmt.Errorf("uplink %s: %w", r.Name, r.Err))
		} else {
			errs = append(errs, fmt.Errorf("uplink %s (%s): %w", r.Name, r.Target, r.Err))
		}
	}
	return errors.Join(errs...)
}
