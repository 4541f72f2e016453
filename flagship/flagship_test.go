package flagship

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// prelaunch counts its calls and returns err.
type prelaunch struct {
	calls int
	err   error
}

func (p *prelaunch) run(context.Context) error {
	p.calls++
	return p.err
}

func env(kv ...string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

func TestSolo(t *testing.T) {
	boom := errors.New("boom")
	p := &prelaunch{err: boom}
	role, err := Coordinate(t.Context(), manifest.Flagship{Election: manifest.ElectionPostgres}, nil, p.run, nil)
	if role != RoleSolo || err != boom || p.calls != 1 {
		t.Errorf("disabled coordination = %q, %v after %d prelaunches; want solo, boom, 1", role, err, p.calls)
	}
}

func TestStaticByEnv(t *testing.T) {
	cases := []struct {
		value string
		env   func(string) (string, bool)
		want  Role
	}{
		{"$MS_FLAGSHIP", env("MS_FLAGSHIP", "true"), RoleFlagship},
		{"$MS_FLAGSHIP", env("MS_FLAGSHIP", " YES "), RoleFlagship},
		{"${MS_FLAGSHIP}", env("MS_FLAGSHIP", "1"), RoleFlagship},
		{"${MS_FLAGSHIP:-true}", env(), RoleFlagship},
		{"$MS_FLAGSHIP", env(), RoleEscort},
		{"$MS_FLAGSHIP", env("MS_FLAGSHIP", ""), RoleEscort},
		{"$MS_FLAGSHIP", env("MS_FLAGSHIP", "false"), RoleEscort},
		{"$MS_FLAGSHIP", env("MS_FLAGSHIP", "2"), RoleEscort},
		{"$$MS_FLAGSHIP", env("MS_FLAGSHIP", "true"), RoleEscort},
	}
	for _, c := range cases {
		p := &prelaunch{}
		cfg := manifest.Flagship{Enabled: true, Election: manifest.ElectionStatic, StaticFlagship: c.value}
		role, err := Coordinate(t.Context(), cfg, c.env, p.run, nil)
		if wantCalls := map[Role]int{RoleFlagship: 1}[c.want]; role != c.want || err != nil || p.calls != wantCalls {
			t.Errorf("%s: role %q, %v after %d prelaunches; want %q after %d", c.value, role, err, p.calls, c.want, wantCalls)
		}
	}
}

func TestStaticByCommand(t *testing.T) {
	cases := []struct {
		command, equals string
		want            Role
		err             string
	}{
		{command: "echo server-a", equals: "server-a", want: RoleFlagship},
		{command: "echo 'server a'", equals: "server a", want: RoleFlagship},
		{command: "echo server-b", equals: "server-a", want: RoleEscort},
		{command: "printenv MOTHERSHIP_SURELY_UNSET", equals: "web.1", err: "exit status 1"},
		{command: "mothership-no-such-command", equals: "x", err: "not found"},
		{command: "echo 'unclosed", equals: "x", err: "unclosed single quote"},
		{command: "sleep 5", equals: "x", err: "did not finish within 100ms"},
	}
	for _, c := range cases {
		p := &prelaunch{}
		cfg := manifest.Flagship{Enabled: true, Election: manifest.ElectionStatic, StaticCommand: c.command, StaticEquals: c.equals, ElectionTimeout: 100 * time.Millisecond}
		if c.err == "" {
			cfg.ElectionTimeout = 10 * time.Second // a busy machine may be slow to start echo
		}
		start := time.Now()
		role, err := Coordinate(t.Context(), cfg, nil, p.run, nil)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || role != "" || p.calls != 0):
			t.Errorf("%s: role %q, error %v, %d prelaunches; want an error saying %q and none", c.command, role, err, p.calls, c.err)
		case c.err == "" && (err != nil || role != c.want):
			t.Errorf("%s: role %q, error %v; want %q", c.command, role, err, c.want)
		case time.Since(start) > 3*time.Second:
			t.Errorf("%s: took %v", c.command, time.Since(start))
		}
	}
}

func TestUnknownElection(t *testing.T) {
	_, err := Coordinate(t.Context(), manifest.Flagship{Enabled: true, Election: "etcd"}, nil, (&prelaunch{}).run, nil)
	if err == nil || !strings.Contains(err.Error(), `"etcd"`) {
		t.Errorf("error = %v, want one naming the election", err)
	}
}

// TestLockKeyIsStable pins the key: motherships of two versions must contend
// for the same lock.
func TestLockKeyIsStable(t *testing.T) {
	if got := lockKey("mothership"); got != 4326864324621064416 {
		t.Errorf("lockKey(mothership) = %d", got)
	}
}

func TestDecide(t *testing.T) {
	const d = "v42"
	rec := func(state, deploy string) record { return record{state: state, deploy: deploy, detail: "exit 1"} }
	cases := []struct {
		name   string
		rec    record
		got    bool
		first  bool
		deploy string
		want   verdict
		err    string
	}{
		{"first ever", record{}, true, true, d, lead, ""},
		{"flagship at work", rec(running, d), false, true, d, wait, ""},
		{"flagship just done", rec(succeeded, d), false, true, d, proceed, ""},
		{"flagship just failed", rec(failed, d), false, true, d, abort, "prelaunch failed: exit 1"},
		{"late server of a deploy that succeeded", rec(succeeded, d), true, true, d, proceed, ""},
		{"late server without a deploy id runs again", rec(succeeded, ""), true, true, "", lead, ""},
		{"next deploy", rec(succeeded, "v41"), true, true, d, lead, ""},
		{"next deploy while the last one's flagship works", rec(running, "v41"), false, true, d, wait, ""},
		{"waiting escort outlives another deploy's flagship", rec(succeeded, "v41"), true, false, d, lead, ""},
		{"retry of a failed deploy", rec(failed, d), true, true, d, lead, ""},
		{"takeover from a dead flagship", rec(running, d), true, true, d, lead, ""},
		{"waiting escort sees success", rec(succeeded, ""), true, false, "", proceed, ""},
		{"waiting escort sees failure", rec(failed, d), true, false, d, abort, "prelaunch failed"},
		{"waiting escort sees the flagship vanish", rec(running, d), true, false, d, abort, "vanished"},
	}
	for _, c := range cases {
		v, err := decide(c.rec, c.got, c.first, c.deploy)
		if v != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: %v, %v; want %v, %q", c.name, v, err, c.want, c.err)
		}
	}
}

func TestElectionErrorsHideThePassword(t *testing.T) {
	for _, url := range []string{"postgres://ms:hunter2@127.0.0.1:1/test", "postgres://ms:hunter2@127.0.0.1:bad/test"} {
		cfg := manifest.Flagship{Enabled: true, Election: manifest.ElectionPostgres, ElectionURL: url, LockName: "x", ElectionTimeout: 2 * time.Second}
		role, err := Coordinate(t.Context(), cfg, nil, (&prelaunch{}).run, nil)
		if role != "" || err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %q, %v; want no role and an error without the password", url, role, err)
		}
	}
}
