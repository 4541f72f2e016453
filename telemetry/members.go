package telemetry

import (
	"sync"

	"github.com/mothership-go/mothership/upstream"
	"github.com/prometheus/client_golang/prometheus"
)

var _ upstream.MemberObservers = (*Metrics)(nil)

// members are the series of upstream pool members:
// mothership_upstream_member_up{upstream,member} and
// mothership_upstream_member_ejections_total{upstream,member}. Each plan
// (a reload makes one) observes its members; the gauge follows the plan
// that started last, and goes once no plan observes the member.
type members struct {
	mu         sync.Mutex
	up         *prometheus.GaugeVec
	ejections  *prometheus.CounterVec
	byKey      map[[2]string]*memberObserver // the newest observer of each member
	registered bool
}

// memberObserver is one plan's view of one member.
type memberObserver struct {
	ms        *members
	key       [2]string
	up        prometheus.Gauge
	ejections prometheus.Counter
}

// UpstreamMember implements upstream.MemberObservers; the series are
// registered on the first call, so that /metrics shows them only for a
// manifest with upstream pools.
func (m *Metrics) UpstreamMember(pool, member string) upstream.MemberObserver {
	ms := &m.members
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if !ms.registered {
		ms.up = register(m.reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mothership_upstream_member_up",
			Help: "1 while a member of an upstream pool takes traffic, 0 while its health check says down or it is ejected.",
		}, []string{"upstream", "member"}))
		ms.ejections = register(m.reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mothership_upstream_member_ejections_total",
			Help: "Times a member of an upstream pool was ejected after connections to it failed in a row.",
		}, []string{"upstream", "member"}))
		ms.byKey = map[[2]string]*memberObserver{}
		ms.registered = true
	}
	o := &memberObserver{ms: ms, key: [2]string{pool, member}, up: ms.up.WithLabelValues(pool, member), ejections: ms.ejections.WithLabelValues(pool, member)}
	ms.byKey[o.key] = o
	return o
}

// Up implements upstream.MemberObserver; an older plan's view is ignored.
func (o *memberObserver) Up(up bool) {
	o.ms.mu.Lock()
	defer o.ms.mu.Unlock()
	if o.ms.byKey[o.key] != o {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	o.up.Set(v)
}

// Ejected implements upstream.MemberObserver.
func (o *memberObserver) Ejected() { o.ejections.Inc() }

// Close implements upstream.MemberObserver: the newest plan's view
// closing removes the gauge, as no plan routes to the member any more.
func (o *memberObserver) Close() {
	o.ms.mu.Lock()
	defer o.ms.mu.Unlock()
	if o.ms.byKey[o.key] != o {
		return
	}
	delete(o.ms.byKey, o.key)
	o.ms.up.DeleteLabelValues(o.key[0], o.key[1])
}
