package manifest_test

import (
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func TestHoldOnRestart(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		hold  time.Duration
		queue int
	}{
		{"default", webShip, 5 * time.Second, 256},
		{"a duration", webShip + "hold_on_restart = \"750ms\"\nhold_queue = 8\n", 750 * time.Millisecond, 8},
		{"integer seconds", webShip + "hold_on_restart = 2\n", 2 * time.Second, 256},
		{"false holds nothing", webShip + "hold_on_restart = false\n", 0, 256},
		{"zero holds nothing", webShip + "hold_on_restart = 0\n", 0, 256},
		{"true is the default", webShip + "hold_on_restart = true\n", 5 * time.Second, 256},
		{"from [base.ship]", "[base.ship]\nhold_on_restart = \"1s\"\nhold_queue = 3\n" + webShip, time.Second, 3},
		{"the blog's [[ships]]", "[[ships]]\nname = \"web\"\ncommand = \"web\"\nhold_on_restart = \"3s\"\n", 3 * time.Second, 256},
		{"a WarpDrive process", "[upstreams.api]\nport = 3000\n[upstreams.api.process]\ncommand = \"api\"\nhold_on_restart = false\n", 0, 256},
	} {
		m, err := manifest.Parse("test.toml", []byte(tc.doc), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(m.Ships) != 1 {
			t.Fatalf("%s: %d ships, want 1", tc.name, len(m.Ships))
		}
		if s := m.Ships[0]; s.HoldOnRestart != tc.hold || s.HoldQueue != tc.queue {
			t.Errorf("%s: hold %v, queue %d; want %v, %d", tc.name, s.HoldOnRestart, s.HoldQueue, tc.hold, tc.queue)
		}
	}
}
