package manifest_test

import (
	"testing"

	"github.com/mothership-go/mothership/manifest"
)

func TestCPUs(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		want      int
	}{
		{"absent", "[mothership]\n", 0},
		{"one", "[mothership]\ncpus = 1\n", 1},
		{"sixteen", "[mothership]\ncpus = 16\n", 16},
	} {
		m, err := manifest.Parse("test.toml", []byte(tc.doc), func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.Mothership.CPUs != tc.want {
			t.Errorf("%s: CPUs = %d, want %d", tc.name, m.Mothership.CPUs, tc.want)
		}
	}
}
