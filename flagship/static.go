package flagship

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func electStatic(ctx context.Context, cfg manifest.Flagship, lookupEnv func(string) (string, bool), runPrelaunch func(context.Context) error, log func(string, ...any)) (Role, error) {
	won, why, err := staticVerdict(ctx, cfg, lookupEnv)
	if err != nil {
		return "", err
	}
	if !won {
		log("static election: escort, launching without waiting for the flagship", "because", why)
		return RoleEscort, nil
	}
	log("static election: flagship, running prelaunch", "because", why)
	return RoleFlagship, runPrelaunch(ctx)
}

// staticVerdict tells whether this server is the flagship, and why, in words
// for the log.
func staticVerdict(ctx context.Context, cfg manifest.Flagship, lookupEnv func(string) (string, bool)) (bool, string, error) {
	if cfg.StaticCommand == "" {
		v, _, err := manifest.ExpandVars(cfg.StaticFlagship, lookupEnv) // unset is empty: escorts usually leave MS_FLAGSHIP unset
		if err != nil {
			return false, "", fmt.Errorf("flagship: static_flagship: %w", err)
		}
		why := fmt.Sprintf("static_flagship %s is %q", cfg.StaticFlagship, v)
		return truthy(v), why, nil
	}
	out, err := runCommand(ctx, cfg.StaticCommand, cfg.ElectionTimeout)
	if err != nil {
		return false, "", fmt.Errorf("flagship: static_flagship command %q: %w", cfg.StaticCommand, err)
	}
	return out == cfg.StaticEquals, fmt.Sprintf("%q printed %q, the flagship's is %q", cfg.StaticCommand, out, cfg.StaticEquals), nil
}

func truthy(v string) bool {
	v = strings.TrimSpace(v)
	return strings.EqualFold(v, "true") || v == "1" || strings.EqualFold(v, "yes")
}

// runCommand runs a command line without a shell, as the manifest runs
// commands, and returns its trimmed standard output.
func runCommand(ctx context.Context, line string, timeout time.Duration) (string, error) {
	words, err := manifest.ShellSplit(line)
	if err != nil {
		return "", err
	}
	if len(words) == 0 {
		return "", errors.New("empty command")
	}
	cctx, cancel := within(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, words[0], words[1:]...)
	cmd.WaitDelay = time.Second // a grandchild holding stdout must not hold the election
	out, err := cmd.Output()
	switch {
	case cctx.Err() != nil && ctx.Err() == nil:
		return "", fmt.Errorf("did not finish within %v (election_timeout)", timeout)
	case err != nil:
		if ee, ok := errors.AsType[*exec.ExitError](err); ok && len(ee.Stderr) > 0 {
			return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
