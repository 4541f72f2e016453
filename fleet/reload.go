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
// by ship name, ready to apply: Launch starts what is new, Finish lands
// what is gone and restarts what changed. Prepare it with Fleet.Plan.
type Reload struct {
	f *Fleet
	// Added, Removed and Restarted name the ships launched, landed and
	// restarted (a changed command, args, env, cwd, bind or healthcheck).
	Added, Removed, Restarted []string
	added, changed            []*spec
}

// Plan compares the ships of m (after AssignPorts, with KeepPorts) with
// the fleet's, under the selection New was given. A change to the bays is
// refused: a reload does not dock or undock them yet.
func (f *Fleet) Plan(m *manifest.Manifest) (*Reload, error) {
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
	r := &Reload{f: f}
	seen := map[string]bool{}
	var bays []string
	for _, s := range selected {
		seen[s.name] = true
		p := f.lookup(s.name)
		switch {
		case p != nil && reflect.DeepEqual(*p.spec, *s):
		case s.kind == kindBay || p != nil && p.kind == kindBay:
			bays = append(bays, s.name)
		case p == nil:
			r.Added, r.added = append(r.Added, s.name), append(r.added, s)
		default:
			r.Restarted, r.changed = append(r.Restarted, s.name), append(r.changed, s)
		}
	}
	for _, p := range f.list() {
		if !seen[p.name] {
			if p.kind == kindBay {
				bays = append(bays, p.name)
				continue
			}
			r.Removed = append(r.Removed, p.name)
		}
	}
	if len(bays) > 0 {
		return nil, fmt.Errorf("fleet: bays %s are added, removed or changed: a reload does not change bays yet; restart the mothership", strings.Join(bays, ", "))
	}
	return r, nil
}

// Launch starts the added ships in dependency order and waits until each
// is ready (as Launch does), so that routes to them go live on ready
// processes. A failure stops what it started and leaves the fleet as it
// was.
func (r *Reload) Launch(ctx context.Context) error {
	f := r.f
	f.set.Lock()
	for _, s := range r.added {
		p := newProc(f, s)
		f.procs = append(f.procs, p)
		f.byName[s.name] = p
	}
	f.set.Unlock()
	err := inOrder(ctx, r.Added, func(n string) []string { return f.lookup(n).deps }, f.launchOne)
	if err != nil {
		r.Undo(ctx)
		return fmt.Errorf("fleet: reload: %w", err)
	}
	return nil
}

// Undo stops the ships Launch started, when the new plan could not be
// swapped in after all.
func (r *Reload) Undo(ctx context.Context) {
	for _, name := range r.Added {
		if p := r.f.lookup(name); p != nil {
			r.f.drop(ctx, p)
		}
	}
}

// Finish lands the removed ships (their routes are already gone) and
// restarts the changed ones on their new spec: the old run is stopped,
// then the new one started and awaited.
func (r *Reload) Finish(ctx context.Context) error {
	f := r.f
	for _, name := range r.Removed {
		if p := f.lookup(name); p != nil {
			f.drop(ctx, p)
		}
	}
	var errs []string
	for _, s := range r.changed {
		if old := f.lookup(s.name); old != nil {
			old.replace()
			old.stop(ctx)
		}
		p := newProc(f, s)
		f.set.Lock()
		i := slices.IndexFunc(f.procs, func(o *proc) bool { return o.name == s.name })
		f.procs[i], f.byName[s.name] = p, p
		f.set.Unlock()
		if err := f.launchOne(ctx, s.name); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("fleet: reload: %s", strings.Join(errs, "; "))
	}
	return nil
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
