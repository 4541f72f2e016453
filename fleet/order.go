package fleet

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// checkGraph rejects dependencies on unknown names and cycles. The manifest
// checks both too; a hand-built manifest that skipped it must not deadlock
// a launch.
func checkGraph(kind string, specs []*spec) error {
	byName := map[string]*spec{}
	for _, s := range specs {
		byName[s.name] = s
	}
	for _, s := range specs {
		for _, d := range s.deps {
			if _, ok := byName[d]; !ok {
				return fmt.Errorf("fleet: %s %s depends on %q, which is no %s", kind, s.name, d, kind)
			}
		}
	}
	const (
		unvisited = iota
		visiting
		visited
	)
	state := map[string]int{}
	var path []string
	var visit func(s *spec) error
	visit = func(s *spec) error {
		state[s.name] = visiting
		path = append(path, s.name)
		for _, d := range s.deps {
			switch state[d] {
			case visiting:
				cycle := append(slices.Clone(path[slices.Index(path, d):]), d)
				return fmt.Errorf("fleet: dependency cycle: %s", strings.Join(cycle, " → "))
			case unvisited:
				if err := visit(byName[d]); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		state[s.name] = visited
		return nil
	}
	for _, s := range specs {
		if state[s.name] == unvisited {
			if err := visit(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// inOrder calls run for each name once run has returned nil for everything
// after(name) lists (names not in the list are ignored); names whose turn
// has come run concurrently. The first error cancels ctx for the others and
// is returned once every call has returned.
func inOrder(ctx context.Context, names []string, after func(string) []string, run func(context.Context, string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done := make(map[string]chan struct{}, len(names))
	for _, n := range names {
		done[n] = make(chan struct{})
	}
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, n := range names {
		wg.Go(func() {
			for _, a := range after(n) {
				ch, ok := done[a]
				if !ok {
					continue
				}
				select {
				case <-ch:
				case <-ctx.Done():
					return
				}
			}
			if err := run(ctx, n); err != nil {
				once.Do(func() { first = err })
				cancel(err)
				return
			}
			close(done[n])
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return first
}
