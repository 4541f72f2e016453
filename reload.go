package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/upstream/bays"
)

// watchReloads reloads the manifest on each SIGHUP until ctx ends.
func (v *voyage) watchReloads(ctx context.Context, reloads <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-reloads:
			v.log.Info("signal: reloading the manifest", "signal", "SIGHUP")
			v.reload(ctx) // it logs its outcome
		}
	}
}

// reload re-reads the manifest and, only if it compiles, applies it: the
// added ships launch and get ready, the proxy swaps in the new plan, the
// removed ships land and the changed ones restart. A manifest that does
// not compile changes nothing; its problems are logged with their lines.
// It returns what changed, or why nothing did.
func (v *voyage) reload(ctx context.Context) (string, error) {
	v.reloadMu.Lock()
	defer v.reloadMu.Unlock()
	start := time.Now()
	if v.running && !v.landing {
		v.notifyReloading()
		defer v.notifyPhase(fleet.Running)
	}
	summary, err := v.applyReload(ctx, start)
	if err != nil {
		v.metrics.ReloadRefused()
		v.log.Error("reload refused: the old plan keeps serving", "error", err.Error())
		return "", err
	}
	v.metrics.Reloaded(v.srv.Generation())
	v.log.Info("reloaded", append(summary, "took", time.Since(start).Round(time.Millisecond).String())...)
	return keyValues(summary), nil
}

// applyReload is reload's work under reloadMu; the key-value pairs it
// returns say what changed, and how long after start the new plan was live.
func (v *voyage) applyReload(ctx context.Context, start time.Time) ([]any, error) {
	if v.landing {
		return nil, errors.New("the mothership is landing")
	}
	if !v.running {
		return nil, errors.New("the fleet is not running yet")
	}
	m, tree, probs, err := loadAndCompile(v.manifestPath)
	if err != nil {
		return nil, err
	}
	if errs := probs.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("the manifest has problems:\n%s", errs.Error())
	}
	if missing := machineProblems(m); len(missing) > 0 {
		return nil, fmt.Errorf("this machine lacks what the manifest names: %s", strings.Join(missing, "; "))
	}
	v.warnAccessLogChange(v.m, m)
	fleet.KeepPorts(v.m, m)
	if err := fleet.AssignPorts(m); err != nil {
		return nil, err
	}
	plan, err := v.fleet.Plan(m)
	if err != nil {
		return nil, err
	}
	// Before the launch: an added bay docks into its berth, and the new
	// plan's routes reach it there.
	bays.UpdateYard(v.yard, m, v.log.Event)
	if err := plan.Launch(ctx); err != nil {
		v.restoreYard()
		return nil, err
	}
	managed, err := v.reloadACME(ctx, m)
	if err != nil {
		plan.Undo(ctx)
		v.restoreYard()
		return nil, err
	}
	opts := v.proxyOptions(m)
	opts.ACME = managed
	change, err := v.srv.Swap(m, tree, opts)
	if err != nil {
		if managed != v.acme {
			managed.Stop()
		}
		plan.Undo(ctx)
		v.restoreYard()
		return nil, err
	}
	v.commitACME(managed)
	// The new plan serves now: it gets its CPUs now, not after the old
	// plan's drain below.
	cpusWas := runtime.GOMAXPROCS(0)
	cpus := applyCPUs(m)
	live := time.Since(start)
	v.m = m
	v.local.Update(m, tree)
	for _, name := range change.BindsAdded {
		v.log.Info("bind listening", "bind", name, "addr", v.srv.Addr(name).String())
	}
	// The removed ships' routes are gone; once the requests that began on
	// the old plan have ended (within the drain timeout), they land.
	wait := time.NewTimer(max(m.Mothership.DrainTimeout, time.Second))
	select {
	case <-change.OldPlanIdle:
	case <-wait.C:
		v.log.Warn("reload: requests on the old plan still run after the drain timeout; landing the removed ships anyway")
	case <-ctx.Done():
	}
	wait.Stop()
	finishErr := plan.Finish(ctx)
	v.yard.Keep(bays.BayNames(m))
	summary := []any{
		"generation", change.Generation,
		"ships_added", list(plan.Added), "ships_removed", list(plan.Removed),
		"ships_restarted", list(plan.Restarted), "ships_rolled", list(plan.Rolled),
		"routes", fmt.Sprintf("%d → %d", change.RoutesBefore, change.RoutesAfter),
		"binds_added", list(change.BindsAdded), "binds_removed", list(change.BindsRemoved),
		"live_in", live.Round(10 * time.Microsecond).String(),
	}
	if cpusWas != cpus {
		summary = append(summary, "cpus", fmt.Sprintf("%d → %d", cpusWas, cpus))
	}
	if finishErr != nil {
		v.log.Warn("reload: a changed ship did not get ready", "error", finishErr.Error())
	}
	return summary, nil
}

// restoreYard gives the bays' berths back the settings of the manifest
// that runs, after a reload that did not go through.
func (v *voyage) restoreYard() {
	bays.UpdateYard(v.yard, v.m, v.log.Event)
	v.yard.Keep(bays.BayNames(v.m))
}

// keyValues formats key-value pairs as the text log writes them.
func keyValues(kv []any) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, fmt.Sprintf("%v=%v", kv[i], kv[i+1]))
	}
	return strings.Join(parts, " ")
}

// list formats names for a log value: "-" for none.
func list(names []string) string {
	if len(names) == 0 {
		return "-"
	}
	return strings.Join(names, ",")
}
