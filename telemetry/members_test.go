package telemetry

import "testing"

// memberUp is the up gauge of member in a scrape, and whether
// it is there.
func memberUp(t *testing.T, base, member string) (float64, bool) {
	t.Helper()
	f := scrape(t, base)["mothership_upstream_member_up"]
	if f == nil {
		return 0, false
	}
	for _, s := range f.Metric {
		for _, l := range s.Label {
			if l.GetName() == "member" && l.GetValue() == member {
				return s.Gauge.GetValue(), true
			}
		}
	}
	return 0, false
}

// TestUpstreamMemberSeriesFollowTheNewestPlan: across a reload, two plans
// observe one member; the gauge says what the newer one says, and goes
// once no plan observes the member.
func TestUpstreamMemberSeriesFollowTheNewestPlan(t *testing.T) {
	m := NewMetrics()
	base := serve(t, m.Handler())
	old := m.UpstreamMember("pool", "a")
	old.Up(false)
	old.Ejected()
	cur := m.UpstreamMember("pool", "a")
	cur.Up(true)
	old.Up(false) // the old plan, still draining, is not what routes now
	steps := []struct {
		name    string
		do      func()
		present bool
		want    float64
	}{
		{"the newer plan says up", func() {}, true, 1},
		{"the old plan ends", old.Close, true, 1},
		{"the newer plan sees it down", func() { cur.Up(false) }, true, 0},
		{"no plan observes it", cur.Close, false, 0},
	}
	for _, s := range steps {
		s.do()
		v, ok := memberUp(t, base, "a")
		if ok != s.present || v != s.want {
			t.Errorf("%s: gauge %v (present %v), want %v (present %v)", s.name, v, ok, s.want, s.present)
		}
	}
	f := scrape(t, base)["mothership_upstream_member_ejections_total"]
	if f == nil || len(f.Metric) != 1 || f.Metric[0].Counter.GetValue() != 1 {
		t.Errorf("ejections: %v, want one series at 1", f)
	}
}
