package telemetry

import (
	"runtime"
	"sync"

	"github.com/mothership-go/mothership/fleet"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

var _ fleet.Observer = (*Metrics)(nil)

// Metrics holds the mothership's metrics in a registry of its own, so that
// nothing a library registers globally leaks into /metrics and tests can make
// as many as they like. It is a fleet.Observer and a pipeline.Observer.
//
// mothership_ship_status is 1 while a process is ready (its probe passed, a
// bay docked, or a oneshot exited 0) and 0 in every other state; the exact
// state is in the one-hot set mothership_ship_state{state}.
// mothership_ship_healthy appears with a process's first health verdict: a
// process without a health check has no series rather than a 0 that would
// read as a failure.
type Metrics struct {
	reg *prometheus.Registry

	status   *prometheus.GaugeVec
	state    *prometheus.GaugeVec
	healthy  *prometheus.GaugeVec
	restarts *prometheus.CounterVec
	rss      *prometheus.GaugeVec
	virtual  *prometheus.GaugeVec
	ships    prometheus.Gauge

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	build    *prometheus.GaugeVec
	routes   *RouteTable // the same requests, for the dashboard's Routes tab
	wasm     wasmModules // the WASM modules' counts, for its Modules tab
	reloads  reloads
	members  members // the upstream pools' members, for their health

	// rateLimits are the rate-limit stage's series and the deployment
	// view of limits shared through a store.
	rateLimits rateLimits

	// mu orders the one-hot updates, so that concurrent calls for one
	// process or for the phase cannot leave two values at 1.
	mu     sync.Mutex
	seen   map[shipKey]*ship
	phases *oneHot
	phase  fleet.Phase
	roles  *oneHot
	role   string
}

type shipKey struct{ process, group string }

// ship is a process's series that more than one call touches, resolved once.
type ship struct {
	status   prometheus.Gauge
	restarts prometheus.Counter
	state    *oneHot
}

// The values that exist before they are first reported, so that a dashboard
// sees every series from the start at 0.
var (
	knownStates = []string{
		string(fleet.Pending), string(fleet.Starting), string(fleet.Ready),
		string(fleet.Backoff), string(fleet.CircuitOpen),
		string(fleet.Stopping), string(fleet.Stopped),
	}
	knownPhases = []string{
		string(fleet.Initializing), string(fleet.Preflight), string(fleet.Electing),
		string(fleet.Prelaunch), string(fleet.Docking), string(fleet.Launching),
		string(fleet.Running), string(fleet.Mayday), string(fleet.Draining),
		string(fleet.Landed), string(fleet.Failed), string(fleet.Crashed),
	}
)

// NewMetrics returns metrics in the Initializing phase, with the Go runtime
// and process collectors registered beside the mothership's own: the
// mothership's memory and goroutines are as much a part of the fleet's
// health as its ships'.
func NewMetrics() *Metrics {
	shipLabels := []string{"ship", "group"}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		status: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_ship_status",
			Help: "1 when the process is ready, 0 in any other state.",
		}, shipLabels),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_ship_state",
			Help: "1 for the process's current lifecycle state, 0 for the others.",
		}, []string{"ship", "group", "state"}),
		healthy: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_ship_healthy",
			Help: "1 when the last health check passed, 0 when it failed.",
		}, shipLabels),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mothership_ship_restarts_total",
			Help: "Restarts of the process after a crash.",
		}, shipLabels),
		rss: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_ship_memory_rss_bytes",
			Help: "Resident memory of the process at the last sample.",
		}, shipLabels),
		virtual: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_ship_memory_virtual_bytes",
			Help: "Virtual memory of the process at the last sample.",
		}, shipLabels),
		// A gauge, so no _total: that suffix is for counters, and
		// `promtool check metrics` refuses it on anything else.
		ships: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mothership_fleet_ships",
			Help: "Distinct processes the fleet has reported on.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mothership_requests_total",
			Help: "Finished requests by bind, route and status class.",
		}, []string{"bind", "route", "status_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mothership_request_duration_seconds",
			Help:    "Time from the request head to the end of the response.",
			Buckets: durationBuckets,
		}, []string{"bind", "route"}),
		routes: NewRouteTable(),
		seen:   make(map[shipKey]*ship),
	}
	phase := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mothership_phase",
		Help: "1 for the mothership's current lifecycle phase, 0 for the others.",
	}, []string{"phase"})
	m.phases = newOneHot(phase, knownPhases)
	role := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mothership_flagship_role",
		Help: "1 for this instance's role in the flagship election (flagship, escort or solo), 0 for the others.",
	}, []string{"role"})
	m.roles = newOneHot(role, []string{"flagship", "escort", "solo"})
	m.build = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "mothership_build_info",
		Help: "1, labelled with the running binary's version, VCS revision and Go version.",
	}, []string{"version", "revision", "goversion"})
	m.reg.MustRegister(m.status, m.state, m.healthy, m.restarts, m.rss, m.virtual,
		m.ships, m.requests, m.duration, phase, role, m.build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reloads = newReloads(m.reg)
	m.SetPhase(fleet.Initializing)
	return m
}

// SetBuildInfo sets mothership_build_info for the running binary, so that a
// dashboard can tell which version runs where.
func (m *Metrics) SetBuildInfo(version, revision string) {
	m.build.Reset()
	m.build.WithLabelValues(version, revision, runtime.Version()).Set(1)
}

// SetPhase records the mothership's lifecycle phase, which /health reports.
func (m *Metrics) SetPhase(p fleet.Phase) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.phase = p
	m.phases.set(string(p))
}

// SetRole records this instance's role in the flagship election.
func (m *Metrics) SetRole(role string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.role = role
	m.roles.set(role)
}

// Role is this instance's role, as SetRole last set it; "" before.
func (m *Metrics) Role() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.role
}

// Phase is the mothership's lifecycle phase, as SetPhase last set it.
func (m *Metrics) Phase() fleet.Phase {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.phase
}

// State implements fleet.Observer.
func (m *Metrics) State(process, group string, s fleet.State) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sh := m.ship(process, group)
	sh.state.set(string(s))
	if s == fleet.Ready {
		sh.status.Set(1)
	} else {
		sh.status.Set(0)
	}
}

// Health implements fleet.Observer.
func (m *Metrics) Health(process, group string, healthy bool) {
	m.see(process, group)
	v := 0.0
	if healthy {
		v = 1
	}
	m.healthy.WithLabelValues(process, group).Set(v)
}

// Restart implements fleet.Observer.
func (m *Metrics) Restart(process, group string) {
	m.see(process, group).restarts.Inc()
}

// Memory implements fleet.Observer.
func (m *Metrics) Memory(process, group string, rss, virtual uint64) {
	m.see(process, group)
	m.rss.WithLabelValues(process, group).Set(float64(rss))
	m.virtual.WithLabelValues(process, group).Set(float64(virtual))
}

func (m *Metrics) see(process, group string) *ship {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ship(process, group)
}

// ship returns the process's series, creating them on first sight; m.mu is held.
func (m *Metrics) ship(process, group string) *ship {
	k := shipKey{process, group}
	if sh := m.seen[k]; sh != nil {
		return sh
	}
	l := prometheus.Labels{"ship": process, "group": group}
	sh := &ship{
		status:   m.status.With(l),
		restarts: m.restarts.With(l),
		state:    newOneHot(m.state.MustCurryWith(l), knownStates),
	}
	m.seen[k] = sh
	m.ships.Set(float64(len(m.seen)))
	return sh
}

// oneHot is a gauge set over one label in which only the current value is 1.
// Its caller serializes calls.
type oneHot struct {
	vec    *prometheus.GaugeVec
	gauges map[string]prometheus.Gauge
}

func newOneHot(vec *prometheus.GaugeVec, values []string) *oneHot {
	o := &oneHot{vec: vec, gauges: make(map[string]prometheus.Gauge, len(values))}
	for _, v := range values {
		o.gauges[v] = vec.WithLabelValues(v)
	}
	return o
}

// set makes v the current value; a value outside the known ones gets its
// series on first use, so a state added to fleet later still shows.
func (o *oneHot) set(v string) {
	if _, ok := o.gauges[v]; !ok {
		o.gauges[v] = o.vec.WithLabelValues(v)
	}
	for k, g := range o.gauges {
		if k == v {
			g.Set(1)
		} else {
			g.Set(0)
		}
	}
}
