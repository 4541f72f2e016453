package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mothership-go/mothership/internal/shipgate"
	"github.com/mothership-go/mothership/manifest"
)

// ErrStopped is the cause of a Launch or RunPrelaunch cut short by Stop.
var ErrStopped = errors.New("fleet stopped")

// Options configure a Fleet.
type Options struct {
	// Only selects the ships and bays that carry any of these tags, and
	// whatever they depend on.
	Only []string
	// Except leaves out the ships and bays that carry any of these tags,
	// unless a selected one depends on them.
	Except []string
	// Logger receives process output and supervisor events; it is required
	// and must be safe for concurrent use.
	Logger Logger
	// Observer receives states, health, restarts and memory; nil reports nothing.
	Observer Observer
	// Timing holds the supervisor's clocks; zero fields take their defaults.
	Timing Timing
	// Env is the environment every process inherits; nil means os.Environ().
	Env []string
	// SocketDir is where bays put their sockets; "" means $MS_SOCKET_DIR,
	// else a directory of the manifest's own in $XDG_RUNTIME_DIR, else one
	// of the user's and the manifest's in os.TempDir() (the variables read
	// from Env).
	SocketDir string
	// Docker docks bays; nil means a bay is ready once it runs.
	Docker Docker
}

// ProcessStatus is a snapshot of one ship or bay.
type ProcessStatus struct {
	// Name is the ship's or bay's name.
	Name string
	// Group is the ship's group, or the bay's type.
	Group string
	// Kind is "ship" or "bay".
	Kind string
	// State is where it is in its lifecycle.
	State State
	// PID is the process id of the current run, 0 when none runs.
	PID int
	// Healthy is true while it is ready and its last health verdict (if it
	// has a healthcheck) was a pass.
	Healthy bool
	// Restarts counts the restarts after crashes.
	Restarts int
	// HealthRestarts counts the restarts after the health check failed
	// Retries times in a row; they are not crashes.
	HealthRestarts int
	// RSS is the last sampled resident memory, in bytes.
	RSS uint64
	// Virtual is the last sampled virtual memory, in bytes.
	Virtual uint64
	// Since is when the current run started; zero when none runs.
	Since time.Time
}

// Fleet supervises the processes of one manifest: New prepares it,
// RunPrelaunch and Launch start it, Stop ends it.
type Fleet struct {
	log     Logger
	obs     Observer
	timing  Timing
	jobs    []*spec
	procs   []*proc // the selected ships, then bays, in declaration order
	byName  map[string]*proc
	reasons map[string]string // a process pulled in by selection → the one that needs it
	sockets socketPlace       // the bays' socket directory; dir "" when no bay is selected
	docker  Docker            // nil when bays are not docked
	opts    Options           // as New got them, for a reload's specs
	base    []string          // the environment every process inherits
	set     sync.RWMutex      // guards procs and byName, which a reload changes

	// gates are the ships' routing states by name, kept across reloads.
	gatesMu       sync.Mutex
	gates         map[string]*shipgate.Gate
	holdsReleased bool

	launched atomic.Bool
	crashed  chan error
	crashOne sync.Once

	// Stop cancels stopCtx so that a launch or prelaunch in progress ends;
	// mu and stopping keep a prelaunch job from starting once Stop began.
	stopCtx     context.Context
	stopNow     context.CancelCauseFunc
	mu          sync.Mutex
	stopping    bool
	jobsRunning sync.WaitGroup
	stopMu      sync.Mutex
}

// New prepares a fleet for m: it checks the dependency graph, the tags of
// opts.Only and opts.Except and what each process needs, and computes every
// environment. It starts nothing. AssignPorts must have run before it.
func New(m *manifest.Manifest, opts Options) (*Fleet, error) {
	if opts.Logger == nil {
		return nil, errors.New("fleet: Options.Logger is required")
	}
	base := opts.Env
	if base == nil {
		base = os.Environ()
	}
	f := &Fleet{
		log:     opts.Logger,
		obs:     opts.Observer,
		timing:  opts.Timing.withDefaults(m.Mothership.DrainTimeout),
		byName:  map[string]*proc{},
		gates:   map[string]*shipgate.Gate{},
		crashed: make(chan error, 1),
		docker:  opts.Docker,
		opts:    opts,
	}
	if f.obs == nil {
		f.obs = nopObserver{}
	}
	f.stopCtx, f.stopNow = context.WithCancelCause(context.Background())

	f.base = base
	sockets := socketDir(opts.SocketDir, base, manifestKey(m.Dir, m.File))
	all, err := specsOf(m, base, sockets.dir)
	if err != nil {
		return nil, err
	}
	if err := checkGraph("ship or bay", all); err != nil {
		return nil, err
	}
	f.jobs = jobSpecs(m, base)
	if err := checkGraph("prelaunch job", f.jobs); err != nil {
		return nil, err
	}
	selected, reasons, err := selectSpecs(all, opts.Only, opts.Except)
	if err != nil {
		return nil, err
	}
	f.reasons = reasons
	for _, s := range selected {
		p := newProc(f, s)
		f.procs = append(f.procs, p)
		f.byName[s.name] = p
		if s.kind == kindBay {
			f.sockets = sockets
		}
	}
	return f, nil
}

// specsOf describes every ship and bay of m.
func specsOf(m *manifest.Manifest, base []string, sockets string) ([]*spec, error) {
	var all []*spec
	for _, s := range m.Ships {
		if s.AutoPort && s.Bind == nil {
			return nil, fmt.Errorf("fleet: ship %s needs a free port: call AssignPorts before New", s.Name)
		}
		if s.Healthcheck != nil && s.Bind == nil {
			return nil, fmt.Errorf("fleet: ship %s has a healthcheck but no bind to send it to", s.Name)
		}
		all = append(all, shipSpec(m, s, base))
	}
	for _, b := range m.Bays {
		if err := checkSocketPath(sockets, b.Name); err != nil {
			return nil, err
		}
		all = append(all, baySpec(m, b, base, sockets))
	}
	return all, nil
}

// Crashed receives one error, once, when the circuit of a critical process
// opens; the error names it. The fleet keeps supervising; the caller
// decides to Stop.
func (f *Fleet) Crashed() <-chan error { return f.crashed }

// Status returns a snapshot of every selected ship and bay, ships first, in
// declaration order.
func (f *Fleet) Status() []ProcessStatus {
	procs := f.list()
	out := make([]ProcessStatus, 0, len(procs))
	for _, p := range procs {
		out = append(out, p.status())
	}
	return out
}

// list returns the supervised processes, ships then bays.
func (f *Fleet) list() []*proc {
	f.set.RLock()
	defer f.set.RUnlock()
	return slices.Clone(f.procs)
}

// lookup returns the process named name, nil when there is none.
func (f *Fleet) lookup(name string) *proc {
	f.set.RLock()
	defer f.set.RUnlock()
	return f.byName[name]
}

// withStop returns a context that Stop also cancels, with ErrStopped as its cause.
func (f *Fleet) withStop(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	unhook := context.AfterFunc(f.stopCtx, func() { cancel(ErrStopped) })
	return ctx, func() {
		unhook()
		cancel(nil)
	}
}

// circuitOpened reports a process whose circuit just opened; a critical one
// crashes the fleet.
func (f *Fleet) circuitOpened(p *proc, crashes int, last string) {
	if !p.critical {
		f.log.Event("warn", "circuit open; not critical, so it stays down and the fleet keeps running",
			"process", p.name, "crashes", crashes, "last", last, "retry_in", f.timing.CircuitOpen)
		return
	}
	err := fmt.Errorf("fleet: critical %s %s crashed %d times in a row (last: %s); its circuit is open", p.kind, p.name, crashes, last)
	f.log.Event("error", "circuit open on a critical process", "process", p.name, "crashes", crashes, "last", last)
	f.crashOne.Do(func() { f.crashed <- err })
}

// nopObserver stands in for a nil Observer.
type nopObserver struct{}

func (nopObserver) State(string, string, State)           {}
func (nopObserver) Health(string, string, bool)           {}
func (nopObserver) Restart(string, string)                {}
func (nopObserver) Memory(string, string, uint64, uint64) {}
