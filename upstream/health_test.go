package upstream

import (
	"testing"
	"time"
)

// step is one event fed to a member's health and what must follow.
type step struct {
	event     string // "ok", "fail" (a check), "eject", "expire", "served"
	want      change
	available bool
	ejectFor  time.Duration // for "eject": the period, 0 when nothing changes
}

func TestHealthStateMachine(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"down after unhealthy_threshold failures in a row", []step{
			{"fail", 0, true, 0}, {"fail", 0, true, 0}, {"fail", wentDown, false, 0}, {"fail", 0, false, 0},
		}},
		{"a pass in between restarts the count", []step{
			{"fail", 0, true, 0}, {"fail", 0, true, 0}, {"ok", 0, true, 0}, {"fail", 0, true, 0}, {"fail", 0, true, 0}, {"fail", wentDown, false, 0},
		}},
		{"up after healthy_threshold passes in a row", []step{
			{"fail", 0, true, 0}, {"fail", 0, true, 0}, {"fail", wentDown, false, 0},
			{"ok", 0, false, 0}, {"fail", 0, false, 0}, {"ok", 0, false, 0}, {"ok", cameUp, true, 0}, {"ok", 0, true, 0},
		}},
		{"an ejection ends when its time is up", []step{
			{"eject", ejected, false, ejectBase}, {"eject", 0, false, 0}, {"expire", cameBack, true, 0}, {"expire", 0, true, 0},
		}},
		{"a passing check ends an ejection at once", []step{
			{"eject", ejected, false, ejectBase}, {"ok", cameBack, true, 0},
		}},
		{"ejections in a row double, up to the cap", []step{
			{"eject", ejected, false, ejectBase}, {"expire", cameBack, true, 0},
			{"eject", ejected, false, 2 * ejectBase}, {"expire", cameBack, true, 0},
			{"eject", ejected, false, 4 * ejectBase}, {"expire", cameBack, true, 0},
			{"eject", ejected, false, 8 * ejectBase}, {"expire", cameBack, true, 0},
			{"eject", ejected, false, 16 * ejectBase}, {"expire", cameBack, true, 0},
			{"eject", ejected, false, ejectCap}, {"expire", cameBack, true, 0},
		}},
		{"a member that served starts again at the base period", []step{
			{"eject", ejected, false, ejectBase}, {"expire", cameBack, true, 0}, {"served", 0, true, 0},
			{"eject", ejected, false, ejectBase},
		}},
		{"a member down is not ejected as well", []step{
			{"fail", 0, true, 0}, {"fail", 0, true, 0}, {"fail", wentDown, false, 0}, {"eject", 0, false, 0},
		}},
	}
	for _, tc := range cases {
		h := health{unhealthyAt: 3, healthyAt: 2}
		for i, s := range tc.steps {
			var got change
			var d time.Duration
			switch s.event {
			case "ok", "fail":
				got = h.probed(s.event == "ok")
			case "eject":
				var ok bool
				if d, ok = h.eject(); ok {
					got = ejected
				}
			case "expire":
				got = h.ejectionEnded()
			case "served":
				h.served()
			}
			if got != s.want || h.available() != s.available || d != s.ejectFor {
				t.Errorf("%s: step %d (%s): change %b, available %v, ejected for %v; want %b, %v, %v",
					tc.name, i, s.event, got, h.available(), d, s.want, s.available, s.ejectFor)
			}
		}
	}
}
