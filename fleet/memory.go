package fleet

import (
	"context"
	"errors"
	"time"
)

// sampleMemory reports the run's resident and virtual memory every
// MemoryEvery. It measures the group leader only: summing a group would
// count shared pages once per worker.
func (p *proc) sampleMemory(ctx context.Context, pid int) {
	tick := time.NewTicker(p.f.timing.MemoryEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		rss, virt, err := memoryOf(pid)
		if errors.Is(err, errors.ErrUnsupported) {
			return
		}
		if err == nil {
			p.setMemory(rss, virt)
		}
	}
}
