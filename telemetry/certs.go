package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// CertExpiry is when one name's certificate on one TLS bind expires.
type CertExpiry struct {
	Bind, Name string
	NotAfter   time.Time
}

// Certificates has the certificates served by TLS binds read at each
// scrape from certs, so that a renewed or reloaded certificate shows at
// once.
func (m *Metrics) Certificates(certs func() []CertExpiry) {
	m.reg.MustRegister(&certCollector{certs: certs})
}

var certExpiry = prometheus.NewDesc("mothership_tls_certificate_expiry_timestamp_seconds",
	"When the certificate a TLS bind serves for a name expires (its NotAfter), as a Unix time.", []string{"bind", "name"}, nil)

// certCollector turns the served certificates into series.
type certCollector struct {
	certs func() []CertExpiry
}

func (c *certCollector) Describe(ch chan<- *prometheus.Desc) { ch <- certExpiry }

func (c *certCollector) Collect(ch chan<- prometheus.Metric) {
	seen := map[[2]string]bool{}
	for _, e := range c.certs() {
		// A name served by two certificates of a bind counts once: the
		// first, which handshakes get.
		if k := [2]string{e.Bind, e.Name}; !seen[k] {
			seen[k] = true
			ch <- prometheus.MustNewConstMetric(certExpiry, prometheus.GaugeValue, float64(e.NotAfter.Unix()), e.Bind, e.Name)
		}
	}
}
