package fleet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func helperJob(name, code string, delay time.Duration, deps ...string) *manifest.Job {
	return &manifest.Job{Process: manifest.Process{
		Name:    name,
		Command: testExe,
		Env: map[string]string{
			"GO_FLEET_HELPER": "exit", "HELPER_CODE": code, "HELPER_DELAY": delay.String(),
		},
		DependsOn: deps,
	}}
}

// TestPrelaunch: jobs run in dependency order, independent ones at once,
// and a failure names the job and its exit status.
func TestPrelaunch(t *testing.T) {
	t.Parallel()
	const slow = 200 * time.Millisecond
	tests := []struct {
		name     string
		jobs     []*manifest.Job
		err      []string // "" parts: success
		check    func(t *testing.T, notes *noteLog)
		neverRun string
	}{
		{
			name: "dependency order",
			jobs: []*manifest.Job{
				helperJob("migrate", "0", slow),
				helperJob("seed", "0", 0, "migrate"),
				helperJob("assets", "0", 0),
			},
			check: func(t *testing.T, notes *noteLog) {
				migrated := notes.at(t, "migrate", "end")
				if seed := notes.at(t, "seed", "start"); !seed.After(migrated) {
					t.Errorf("seed started %s before migrate ended", migrated.Sub(seed))
				}
				if assets := notes.at(t, "assets", "start"); !assets.Before(migrated) {
					t.Errorf("assets, which depends on nothing, waited for migrate")
				}
			},
		},
		{
			name: "failure",
			jobs: []*manifest.Job{
				helperJob("migrate", "3", 0),
				helperJob("seed", "0", 0, "migrate"),
			},
			err:      []string{"prelaunch job migrate", "exit status 3"},
			neverRun: "seed",
		},
		{
			name: "failure ends the others",
			jobs: []*manifest.Job{
				helperJob("migrate", "4", slow),
				helperJob("assets", "0", time.Hour),
			},
			err: []string{"prelaunch job migrate", "exit status 4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, notes := testManifest(t)
			m.Mothership.Prelaunch = tt.jobs
			f, _ := newFleet(t, m, Options{})
			began := time.Now()
			err := f.RunPrelaunch(context.Background())
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("%s: RunPrelaunch took %s", tt.name, d)
			}
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("%s: RunPrelaunch: %v", tt.name, err)
			case tt.err != nil && err == nil:
				t.Fatalf("%s: RunPrelaunch succeeded", tt.name)
			}
			for _, w := range tt.err {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %q does not say %q", tt.name, err, w)
				}
			}
			if tt.check != nil {
				tt.check(t, notes)
			}
			if tt.neverRun != "" && len(notes.times(t, tt.neverRun, "start")) > 0 {
				t.Errorf("%s: %s ran after the job it depends on failed", tt.name, tt.neverRun)
			}
		})
	}
}
