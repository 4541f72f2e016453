package main

import (
	"github.com/mothership-go/mothership/fleet"
	"github.com/mothership-go/mothership/internal/sdnotify"
)

// notifyPhase tells systemd (a unit with Type=notify) about the phase:
// READY=1 once the fleet runs (again after each reload), STOPPING=1 when
// it drains, and the phase as the STATUS `systemctl status` shows.
// Without $NOTIFY_SOCKET it does nothing.
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
	v.sendNotify(states)
}

// notifyReloading tells systemd that a reload began: RELOADING=1 with the
// monotonic clock, as Type=notify-reload expects; notifyPhase(Running)
// says READY=1 when it is over, applied or refused.
func (v *voyage) notifyReloading() {
	if !v.notify.Enabled() {
		return
	}
	v.sendNotify(append([]string{"RELOADING=1", "STATUS=Reloading"}, sdnotify.Monotonic()...))
}

func (v *voyage) sendNotify(states []string) {
	if err := v.notify.Notify(states...); err != nil {
		v.log.Warn("systemd notify failed", "error", err.Error())
	}
}
