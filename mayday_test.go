package main

import (
	"slices"
	"testing"

	"github.com/mothership-go/mothership/fleet"
)

// nopObserver drops what distress passes on.
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
		{"the launch's states are not distress", []event{{"web", fleet.Starting, false}, {"web", fleet.Ready, false}, fly}, nil},
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
		d := newDistress(nopObserver{}, func(p fleet.Phase) { got = append(got, p) })
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
