package fleet

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/mothership-go/mothership/internal/shipgate"
)

// errStopping refuses a start once the process is being stopped.
var errStopping = errors.New("stopping")

// proc is one supervised ship or bay.
type proc struct {
	*spec
	f     *Fleet
	probe *http.Client   // nil without a healthcheck
	gate  *shipgate.Gate // nil for what takes no traffic at its own address

	ready     chan struct{} // closed when it is ready for the first time
	readyOnce sync.Once
	failed    chan struct{} // closed when it failed before its first readiness
	failOnce  sync.Once
	bootErr   error // set before failed closes

	// report keeps state and health reports in the order of the changes:
	// the supervisor goroutine and Stop both change them.
	report sync.Mutex

	mu         sync.Mutex
	state      State
	everReady  bool
	healthy    bool
	pid        int
	restarts   int
	rss, virt  uint64
	cur        *child // the current or last run
	gen        int    // a bay's generation: how many phased restarts replaced it
	incoming   *child // the next generation while it boots (phased restart)
	handover   *child // the next generation, docked, for supervise to take on
	stopping   bool
	restarting bool          // a reload stops it to start it again on new settings
	done       chan struct{} // closed when supervise returns; nil until launched

	// Restart's bookkeeping: runs counts the runs started, readyRun and
	// endedRun are the last run that got ready and that ended, so that
	// Restart can tell the new run's outcome from the old one's.
	runs, readyRun, endedRun int
	restartReq               bool // the current run ends because Restart asked
	healthReq                bool // the current run ends because its health circuit opened
	healthRestarts           int
	kick                     chan struct{} // cuts a backoff or open circuit short
	cancel                   context.CancelFunc

	// replaced is set once a rolling restart's new process took over the
	// name: this one's last states are logged but no longer reported, or
	// its Stopped would overwrite its successor's Ready.
	replaced atomic.Bool
}

func newProc(f *Fleet, s *spec) *proc {
	p := &proc{spec: s, f: f, state: Pending, ready: make(chan struct{}), failed: make(chan struct{}), kick: make(chan struct{}, 1)}
	if s.health != nil {
		p.probe = newProbeClient(*s.bind)
	}
	if s.kind == kindShip && s.bind != nil && !s.oneshot {
		p.gate = f.gateOf(s.name)
		p.gate.Configure(s.hold, s.holdQueue)
	}
	return p
}

// launch starts supervising; it reports false when Stop came first.
func (p *proc) launch() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping || p.done != nil {
		return !p.stopping
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.done, p.cancel = make(chan struct{}), cancel
	go p.supervise(ctx)
	return true
}

// start runs the process once, unless Stop has begun: under p.mu, so that
// Stop either sees the new run or prevents it.
func (p *proc) start() (*child, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopping {
		return nil, errStopping
	}
	socket := ""
	if p.kind == kindBay {
		socket = socketFor(p.sockets, p.name, p.gen)
	}
	c, err := spawnRun(p.spec, socket, p.f.log)
	if err != nil {
		return nil, err
	}
	p.cur, p.pid = c, c.pid
	p.runs++
	return c, nil
}

func (p *proc) isStopping() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopping
}

// setState records and reports a change. Once Stop has begun only its own
// states get through, so a late Ready or Backoff can't follow Stopping.
func (p *proc) setState(s State) {
	p.report.Lock()
	defer p.report.Unlock()
	p.mu.Lock()
	if p.state == s || p.stopping && s != Stopping && s != Stopped {
		p.mu.Unlock()
		return
	}
	p.state = s
	pid := p.pid
	gs, routed := p.gateState(s)
	p.mu.Unlock()
	if pid > 0 && (s == Starting || s == Ready) {
		p.f.log.Event("info", "state", "process", p.name, "state", s, "pid", pid)
	} else {
		p.f.log.Event("info", "state", "process", p.name, "state", s)
	}
	// A rolled run's successor owns the ship's gate: the old run's stop
	// must not take the ship out of routing.
	if routed && !p.replaced.Load() {
		p.route(gs)
	}
	p.observer().State(p.name, p.group, s)
}

// markReady makes the process ready, and releases what waits on its first readiness.
func (p *proc) markReady() {
	p.mu.Lock()
	p.everReady = true
	p.readyRun = p.runs
	p.mu.Unlock()
	p.setState(Ready)
	p.setHealthy(true)
	p.readyOnce.Do(func() { close(p.ready) })
}

// bootFailed fails the launch, if the process was never ready: its
// dependents must not wait out their own boot timeouts.
func (p *proc) bootFailed(err error) {
	p.mu.Lock()
	was := p.everReady
	p.mu.Unlock()
	if !was {
		p.failOnce.Do(func() {
			p.bootErr = err
			close(p.failed)
		})
	}
}

// setHealthy records a health verdict; only a process with a healthcheck
// has verdicts to report.
func (p *proc) setHealthy(ok bool) {
	p.report.Lock()
	defer p.report.Unlock()
	p.mu.Lock()
	changed := p.healthy != ok
	p.healthy = ok
	p.mu.Unlock()
	if changed && p.health != nil {
		p.observer().Health(p.name, p.group, ok)
	}
}

// ended clears what only a running process has, once run c ended; a
// oneshot that succeeded stays healthy, since it did its job. A run that a
// phased restart replaced leaves its successor's state alone.
func (p *proc) ended(c *child, succeeded bool) {
	p.mu.Lock()
	replaced := p.cur != c
	if !replaced {
		p.pid, p.rss, p.virt = 0, 0, 0
		p.endedRun = p.runs
	}
	p.mu.Unlock()
	if !succeeded && !replaced {
		p.setHealthy(false)
		// Until supervise says what comes next, a restart is the likely
		// answer: requests wait for it (or Backoff, CircuitOpen, Stopped
		// say better).
		p.report.Lock()
		if !p.isStopping() {
			p.route(shipgate.Starting)
		}
		p.report.Unlock()
	}
}

// restarted counts a restart: after a crash, or after the health check
// failed (which is not a crash, and is not counted as one).
func (p *proc) restarted(health bool) {
	p.mu.Lock()
	if health {
		p.healthRestarts++
	} else {
		p.restarts++
	}
	p.mu.Unlock()
	if !health {
		p.observer().Restart(p.name, p.group)
	}
}

func (p *proc) setMemory(rss, virt uint64) {
	p.mu.Lock()
	p.rss, p.virt = rss, virt
	p.mu.Unlock()
	p.observer().Memory(p.name, p.group, rss, virt)
}

func (p *proc) status() ProcessStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProcessStatus{
		Name:           p.name,
		Group:          p.group,
		Kind:           p.kind,
		State:          p.state,
		PID:            p.pid,
		Healthy:        p.healthy,
		Restarts:       p.restarts,
		HealthRestarts: p.healthRestarts,
		RSS:            p.rss,
		Virtual:        p.virt,
		Since:          p.since(),
	}
}

// observer is where the process reports: nowhere once it was replaced.
func (p *proc) observer() Observer {
	if p.replaced.Load() {
		return nopObserver{}
	}
	return p.f.obs
}
