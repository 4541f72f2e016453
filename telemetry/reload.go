package telemetry

import "github.com/prometheus/client_golang/prometheus"

// reloads are the reload series: how many by result, and the routing
// plan's generation.
type reloads struct {
	total      *prometheus.CounterVec
	generation prometheus.Gauge
}

func newReloads(reg *prometheus.Registry) reloads {
	r := reloads{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mothership_reloads_total",
			Help: "Manifest reloads (SIGHUP, `mothership reload`) by result: applied or refused.",
		}, []string{"result"}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mothership_plan_generation",
			Help: "The generation of the routing plan that serves: 1 at launch, one more for each applied reload.",
		}),
	}
	// Both results exist from the start, so that a rate over them works
	// before the first refusal.
	r.total.WithLabelValues("applied")
	r.total.WithLabelValues("refused")
	r.generation.Set(1)
	reg.MustRegister(r.total, r.generation)
	return r
}

// Reloaded counts a reload that was applied and records the new plan's
// generation.
func (m *Metrics) Reloaded(generation int64) {
	m.reloads.total.WithLabelValues("applied").Inc()
	m.reloads.generation.Set(float64(generation))
}

// ReloadRefused counts a reload that changed nothing.
func (m *Metrics) ReloadRefused() { m.reloads.total.WithLabelValues("refused").Inc() }
