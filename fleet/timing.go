package fleet

import (
	"cmp"
	"time"
)

// defaultBootTimeout bounds readiness for a hand-built manifest that left
// BootTimeout at zero; loaded manifests always set it.
const defaultBootTimeout = 60 * time.Second

// withDefaults fills the zero fields; Grace falls back to the manifest's
// drain_timeout, so one setting governs a graceful shutdown.
func (t Timing) withDefaults(drain time.Duration) Timing {
	t.Grace = cmp.Or(t.Grace, drain, 10*time.Second)
	t.BackoffBase = cmp.Or(t.BackoffBase, time.Second)
	t.CircuitAfter = cmp.Or(t.CircuitAfter, 5)
	t.CircuitOpen = cmp.Or(t.CircuitOpen, 5*time.Minute)
	t.StableAfter = cmp.Or(t.StableAfter, 30*time.Second)
	t.ReadyPoll = cmp.Or(t.ReadyPoll, 50*time.Millisecond)
	t.MemoryEvery = cmp.Or(t.MemoryEvery, 10*time.Second)
	return t
}
