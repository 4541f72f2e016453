package fleet

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/mothership-go/mothership/manifest"
)

// Reload is the difference between the running fleet and a new manifest's,
// by name, ready to apply: Launch starts what is new (and the new runs of
// the ships that roll), Finish lands what is gone, drains the rolled ships'
// old runs and restarts what changed. Prepare it with Fleet.Plan.
type Reload struct {
	f *Fleet
	// Added, Removed and Restarted name the ships and bays launched,
	// landed and restarted (stopped, then started on their new settings).
	Added, Removed, Restarted []string
	// Rolled names the changed ships with a free port ($PORT): each new
	// run starts on a port of its own beside the old one and is ready
	// before the new plan sends it traffic; Finish then drains the old.
	Rolled                 []string
	added, changed, rolled []*spec
	next                   map[string]*proc // the rolled ships' new runs, by name
	old                    []*proc          // the rolled ships' old runs, once replaced
	sockets                socketPlace      // the bays' socket directory, for a fleet that had no bay
}

// Plan compares the ships and bays of m (after AssignPorts, with
// KeepPorts) with the fleet's, under the selection New was given. A
// changed ship with a free port gets a new one in m, so that its new run
// can start beside the old: the proxy then routes to that port. A bay
// whose type changes is refused.
func (f *Fleet) Plan(m *manifest.Manifest) (*Reload, error) {
	r, err := f.diff(m)
	if err != nil || len(r.Rolled) == 0 {
		return r, err
	}
	if err := newPorts(m, r.Rolled); err != nil {
		return nil, err
	}
	return f.diff(m)
}

// diff is Plan's comparison.
func (f *Fleet) diff(m *manifest.Manifest) (*Reload, error) {
	sockets := socketDir(f.opts.SocketDir, f.base, manifestKey(m.Dir, m.File))
	all, err := specsOf(m, f.base, sockets.dir)
	if err != nil {
		return nil, err
	}
	if err := checkGraph("ship or bay", all); err != nil {
		return nil, err
	}
	selected, _, err := selectSpecs(all, f.opts.Only, f.opts.Except)
	if err != nil {
		return nil, err
	}
	r := &Reload{f: f, sockets: sockets}
	seen := map[string]bool{}
	for _, s := range selected {
		seen[s.name] = true
		p := f.lookup(s.name)
		switch {
		case p != nil && reflect.DeepEqual(*p.spec, *s):
		case p == nil:
			r.Added, r.added = append(r.Added, s.name), append(r.added, s)
		case p.kind != s.kind || p.kind == kindBay && p.group != s.group:
			return nil, fmt.Errorf("fleet: %s %s would become a %s %s: a reload cannot change what a process is; give it another name, or restart the mothership", p.group, p.name, s.group, s.kind)
		case s.autoPort && p.autoPort:
			r.Rolled, r.rolled = append(r.Rolled, s.name), append(r.rolled, s)
		default:
			r.Restarted, r.changed = append(r.Restarted, s.name), append(r.changed, s)
		}
	}
	for _, p := range f.list() {
		if !seen[p.name] {
			r.Removed = append(r.Removed, p.name)
		}
	}
	return r, nil
}

// Launch starts the added ships and bays, and the new runs of the rolled
// ships, in dependency order and waits until each is ready (as Launch
// does), so that routes to them go live on ready processes. A rolled
// ship's new run that does not get ready fails the reload, critical or
// not: its old run keeps the traffic. A failure stops what Launch started
// and leaves the fleet as it was.
func (r *Reload) Launch(ctx context.Context) error {
	f := r.f
	if f.sockets.dir == "" && slices.ContainsFunc(r.added, func(s *spec) bool { return s.kind == kindBay }) {
		if err := r.sockets.make(); err != nil {
			return fmt.Errorf("fleet: reload: %w", err)
		}
		f.sockets = r.sockets
	}
	r.next = map[string]*proc{}
	f.set.Lock()
	for _, s := range r.added {
		p := newProc(f, s)
		f.procs = append(f.procs, p)
		f.byName[s.name] = p
	}
	f.set.Unlock()
	for _, s := range r.rolled {
		r.next[s.name] = newProc(f, s)
	}
	deps := func(n string) []string {
		if p := r.next[n]; p != nil {
			return p.deps
		}
		return f.lookup(n).deps
	}
	err := inOrder(ctx, append(slices.Clone(r.Added), r.Rolled...), deps, func(ctx context.Context, n string) error {
		if p := r.next[n]; p != nil {
			return f.startReady(ctx, p)
		}
		return f.launchOne(ctx, n)
	})
	if err != nil {
		r.Undo(ctx)
		return fmt.Errorf("fleet: reload: %w", err)
	}
	// The new runs take the names: status shows them from now on, while
	// the old runs serve what the old plan still sends them.
	for _, s := range r.rolled {
		r.old = append(r.old, f.replace(r.next[s.name]))
	}
	return nil
}

// Undo stops what Launch started, when the new plan could not be swapped
// in after all; the rolled ships' old runs take their names back.
func (r *Reload) Undo(ctx context.Context) {
	for _, old := range r.old {
		r.f.replace(old)
		old.replaced.Store(false)
	}
	r.old = nil
	for _, p := range r.next {
		p.stop(ctx)
	}
	for _, name := range r.Added {
		if p := r.f.lookup(name); p != nil {
			r.f.drop(ctx, p)
		}
	}
}

// Finish lands the removed ships and bays (their routes are already gone),
// drains the rolled ships' old runs (the new plan routes to their new
// ones), and restarts the changed ones on their new spec: the old run is
// stopped, then the new one started and awaited.
func (r *Reload) Finish(ctx context.Context) error {
	f := r.f
	for _, name := range r.Removed {
		if p := f.lookup(name); p != nil {
			f.drop(ctx, p)
		}
	}
	for _, old := range r.old {
		f.log.Event("info", "rolling restart: the new run serves; stopping the old one", "process", old.name, "pid", r.next[old.name].status().PID, "old_pid", old.status().PID)
		old.stop(ctx)
	}
	var errs []string
	for _, s := range r.changed {
		if old := f.lookup(s.name); old != nil {
			old.replace()
			old.stop(ctx)
		}
		f.replace(newProc(f, s))
		if err := f.launchOne(ctx, s.name); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("fleet: reload: %s", strings.Join(errs, "; "))
	}
	return nil
}

// replace puts p in the place of the process of the same name and returns
// that one, marked replaced.
func (f *Fleet) replace(p *proc) *proc {
	f.set.Lock()
	defer f.set.Unlock()
	i := slices.IndexFunc(f.procs, func(o *proc) bool { return o.name == p.name })
	old := f.procs[i]
	old.replaced.Store(true)
	f.procs[i], f.byName[p.name] = p, p
	return old
}

// drop stops a process and forgets it.
func (f *Fleet) drop(ctx context.Context, p *proc) {
	p.stop(ctx)
	f.set.Lock()
	defer f.set.Unlock()
	f.procs = slices.DeleteFunc(f.procs, func(o *proc) bool { return o == p })
	if f.byName[p.name] == p {
		delete(f.byName, p.name)
	}
}
