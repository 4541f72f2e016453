package telemetry

import (
	"github.com/mothership-go/mothership/docking"
	"github.com/prometheus/client_golang/prometheus"
)

// Bays adds the bays' series, read from stats at each scrape (the berths
// keep the numbers; nothing is counted on the request path):
// mothership_bay_docked{bay} is 1 while a run of the bay is docked,
// mothership_bay_links{bay,state} counts an HTTP bay's links by state
// (idle, busy), and mothership_bay_passengers{bay} a WebSocket bay's
// clients. Call it once.
func (m *Metrics) Bays(stats func() []docking.BerthStats) {
	m.reg.MustRegister(&bayCollector{stats: stats})
}

var (
	bayDocked     = prometheus.NewDesc("mothership_bay_docked", "1 while a run of the bay is docked, else 0.", []string{"bay"}, nil)
	bayLinks      = prometheus.NewDesc("mothership_bay_links", "An HTTP bay's links to its docked run, by state: idle or busy.", []string{"bay", "state"}, nil)
	bayPassengers = prometheus.NewDesc("mothership_bay_passengers", "WebSocket clients carried to a WebSocket bay.", []string{"bay"}, nil)
)

// bayCollector turns berth snapshots into series.
type bayCollector struct {
	stats func() []docking.BerthStats
}

func (c *bayCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- bayDocked
	ch <- bayLinks
	ch <- bayPassengers
}

func (c *bayCollector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.stats() {
		docked := 0.0
		if st.Docked {
			docked = 1
		}
		ch <- prometheus.MustNewConstMetric(bayDocked, prometheus.GaugeValue, docked, st.Name)
		if st.Version == docking.VersionWebSocket {
			ch <- prometheus.MustNewConstMetric(bayPassengers, prometheus.GaugeValue, float64(st.Passengers), st.Name)
			continue
		}
		ch <- prometheus.MustNewConstMetric(bayLinks, prometheus.GaugeValue, float64(st.Idle), st.Name, "idle")
		ch <- prometheus.MustNewConstMetric(bayLinks, prometheus.GaugeValue, float64(st.Busy), st.Name, "busy")
	}
}
