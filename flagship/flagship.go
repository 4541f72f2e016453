// Package flagship makes one mothership among the servers of a fleet, the
// flagship, run the prelaunch jobs (migrations and the like), while the
// others, its escorts, wait for the outcome and abort when it failed.
//
// # Static election
//
// A static election is decided by each server alone: static_flagship's
// "$VAR" is truthy there ("true", "1" or "yes"), or its command prints the
// expected output. There is no shared place to learn the flagship's outcome,
// so a static escort does not wait: it proceeds at once. Static election is
// for platforms that order the deploy themselves, like Kamal booting the
// first host, which has MS_FLAGSHIP=true, before the others. A static
// election ignores election_url.
//
// # PostgreSQL election
//
// A postgres election is won by taking a session-level advisory lock whose
// key is the 64-bit FNV-1a hash of lock_name, on a connection of its own.
// The winner records its progress in the table mothership_flagship, one row
// per lock name (state running, succeeded or failed, a detail, the deploy,
// updated_at), runs the prelaunch jobs, records the outcome and announces it
// with NOTIFY on the channel mothership_flagship, then closes its connection,
// which releases the lock. The table is created when missing.
//
// Escorts LISTEN before they look at the record, so an outcome is either in
// the record they read or in a notification they will get: no escort waits
// for a signal already sent. Notifications only wake escorts up; the record
// is the truth, and escorts also read it every second. An escort finding the
// lock free while the record still says running knows the flagship's session
// ended without an outcome, the flagship vanished, and aborts. Taking the lock
// and marking the record running happen in one transaction, and every
// transaction on the record first takes a transaction-level advisory lock
// (the two-key form, whose key space the documentation keeps apart from the
// one-key form's), so that nobody sees the lock taken while the record is
// still the previous flagship's.
//
// Session locks and LISTEN need a session of their own: election_url must
// reach PostgreSQL directly or through a pooler in session mode, not one that
// pools transactions.
//
// # Deploys
//
// A server that starts after the flagship has finished and let go of the
// lock would win a new election. To tell a late server of the same deploy,
// which must launch at once, from the first server of the next deploy, which
// must run the prelaunch jobs again, every server of one deploy is given the
// same MS_DEPLOY_ID (the release's version or commit, say), which the record
// keeps. A server that wins the lock and finds its deploy recorded as
// succeeded launches at once without running anything; one that finds
// another deploy's flagship at work waits for it to finish, then holds its
// own election. An escort's prelaunch_timeout counts from the moment it
// starts to wait.
//
// Without MS_DEPLOY_ID a deploy cannot be told from the next one; rather
// than risk skipping a new release's migrations, such a late server runs the
// prelaunch jobs again, never while another server runs them. Prelaunch jobs
// must bear that anyway, as a mothership restarted alone runs them too.
package flagship

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// Role is the part this mothership had in the prelaunch of its deploy.
type Role string

// The roles.
const (
	// RoleFlagship ran the prelaunch jobs for the fleet.
	RoleFlagship Role = "flagship"
	// RoleEscort left the prelaunch jobs to the flagship.
	RoleEscort Role = "escort"
	// RoleSolo ran the prelaunch jobs without coordination, which is off.
	RoleSolo Role = "solo"
)

// DeployIDEnv is the environment variable that names the deploy, the same on
// every server of a fleet and new with every release.
const DeployIDEnv = "MS_DEPLOY_ID"

// Coordinate decides this mothership's role and makes sure the prelaunch jobs
// run once across the fleet: as the flagship it calls runPrelaunch and
// publishes the outcome; as an escort it waits for that outcome, up to
// cfg.PrelaunchTimeout, and returns an error when the prelaunch failed, did
// not finish in time, or the flagship vanished. With coordination disabled it
// calls runPrelaunch itself. runPrelaunch's error is returned as it is, or
// joined with the flagship's failure to tell the escorts.
//
// lookupEnv expands static_flagship and reads MS_DEPLOY_ID; nil means
// os.LookupEnv. log receives progress as a message and key, value pairs; it
// may be nil. The role is "" when the election itself failed.
func Coordinate(ctx context.Context, cfg manifest.Flagship, lookupEnv func(string) (string, bool), runPrelaunch func(context.Context) error, log func(msg string, kv ...any)) (Role, error) {
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	if log == nil {
		log = func(string, ...any) {}
	}
	if !cfg.Enabled {
		return RoleSolo, runPrelaunch(ctx)
	}
	switch cfg.Election {
	case manifest.ElectionStatic:
		return electStatic(ctx, cfg, lookupEnv, runPrelaunch, log)
	case manifest.ElectionPostgres:
		deploy, _ := lookupEnv(DeployIDEnv)
		return electPostgres(ctx, cfg, deploy, runPrelaunch, log)
	}
	return "", fmt.Errorf("flagship: unknown election %q; want %q or %q", cfg.Election, manifest.ElectionStatic, manifest.ElectionPostgres)
}

// within bounds ctx by d, where 0 means no bound, as for an unset timeout.
func within(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
