package manifest_test

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

func TestRobots(t *testing.T) {
	for _, tc := range []struct{ name, value, want, err string }{
		{"llm", `"llm"`, "llm", ""},
		{"another list", `"all"`, "", `test.toml:2: mothership.robots: want "llm"`},
		{"not a string", `true`, "", "mothership.robots"},
	} {
		m, err := manifest.Parse("test.toml", []byte("[mothership]\nrobots = "+tc.value+"\n\n[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n"), func(string) (string, bool) { return "", false })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || m.Mothership.Robots != tc.want {
			t.Errorf("%s: %v, %v; want %q", tc.name, m, err, tc.want)
		}
	}
}
