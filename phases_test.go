package main

import (
	"slices"
	"testing"

	"github.com/mothership-go/mothership/fleet"
)

// nopObserver drops what phaseWatch passes on.
type nopObserver struct{ fleet.Observer }

func (nopObserver) State(string, string, fleet.State)     {}
func (nopObserver) Health(string, string, bool)           {}
func (nopObserver) Restart(string, string)                {}
func (nopObserver) Memory(string, string, uint64, uint64) {}

// TestDistressSaysMaydayWhileAProcessIsDown feeds the observer what the
// fleet reports and checks the phases it says.
func TestDistressSaysMaydayWhileAProcessIsDown(t *testing.T) {
	type event struct {
		process string
		state   fleet.State // or "" for a health verdict
		healthy bool
	}
	fly, land := event{process: "fly"}, event{process: "land"}
	cases := []struct {
		name   string
		events []event
		want   []fleet.Phase
	}{
		{"a crash and its restart", []event{fly, {"web", fleet.Backoff, false}, {"web", fleet.Starting, false}, {"web", fleet.Ready, false}},
			[]fleet.Phase{fleet.Mayday, fleet.Running}},
		{"the launch's states are not phaseWatch", []event{{"web", fleet.Starting, false}, {"web", fleet.Ready, false}, fly}, nil},
		{"a process still down at Running", []event{{"web", fleet.Backoff, false}, fly, {"web", fleet.Ready, false}},
			[]fleet.Phase{fleet.Mayday, fleet.Running}},
		{"two down, Running once both are back", []event{fly, {"a", fleet.Backoff, false}, {"b", fleet.CircuitOpen, false},
			{"a", fleet.Ready, false}, {"b", fleet.Ready, false}}, []fleet.Phase{fleet.Mayday, fleet.Running}},
		{"a failed health check, then healthy", []event{fly, {"web", "", false}, {"web", "", true}},
			[]fleet.Phase{fleet.Mayday, fleet.Running}},
		{"a ship a reload removed is no longer down", []event{fly, {"old", fleet.Backoff, false}, {"old", fleet.Stopped, false}},
			[]fleet.Phase{fleet.Mayday, fleet.Running}},
		{"the drain's stops say nothing", []event{fly, land, {"web", fleet.Backoff, false}, {"web", fleet.Stopped, false}}, nil},
	}
	for _, tc := range cases {
		var got []fleet.Phase
		d := newPhaseWatch(nopObserver{}, func(p fleet.Phase) { got = append(got, p) })
		for _, e := range tc.events {
			switch {
			case e == fly:
				d.fly()
			case e == land:
				d.land()
			case e.state == "":
				d.Health(e.process, "web", e.healthy)
			default:
				d.State(e.process, "web", e.state)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: phases %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestPhaseWatchSaysDockingUntilTheBaysDocked: a launch with bays is
// Docking until the last of them is ready, then Launching; one without
// is Launching at once.
func TestPhaseWatchSaysDockingUntilTheBaysDocked(t *testing.T) {
	cases := []struct {
		name  string
		bays  []string
		ready []string
		want  []fleet.Phase
	}{
		{"no bays", nil, []string{"web"}, []fleet.Phase{fleet.Launching}},
		{"two bays, a ship between", []string{"rack", "chat"}, []string{"rack", "web", "chat"},
			[]fleet.Phase{fleet.Docking, fleet.Launching}},
		{"a bay not docked yet", []string{"rack", "chat"}, []string{"rack", "web"}, []fleet.Phase{fleet.Docking}},
		{"a bay ready again later says nothing", []string{"rack"}, []string{"rack", "rack"}, []fleet.Phase{fleet.Docking, fleet.Launching}},
	}
	for _, tc := range cases {
		var got []fleet.Phase
		d := newPhaseWatch(nopObserver{}, func(p fleet.Phase) { got = append(got, p) })
		d.launch(tc.bays)
		for _, p := range tc.ready {
			d.State(p, "g", fleet.Ready)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: phases %v, want %v", tc.name, got, tc.want)
		}
	}
}
