package main

import "github.com/mothership-go/mothership/fleet"

// notifyPhase tells systemd (a unit with Type=notify) about the phase:
// READY=1 once the fleet runs, STOPPING=1 when it drains, and the phase as
// the STATUS `systemctl status` shows. Without $NOTIFY_SOCKET it does
// nothing.
func (v *voyage) notifyPhase(p fleet.Phase) {
	if !v.notify.Enabled() {
		return
	}
	states := []string{"STATUS=" + string(p)}
	switch p {
	case fleet.Running:
		states = append(states, "READY=1")
	case fleet.Draining:
		states = append(states, "STOPPING=1")
	}
	if err := v.notify.Notify(states...); err != nil {
		v.log.Warn("systemd notify failed", "error", err.Error())
	}
}
