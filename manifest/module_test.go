package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

func TestModuleLimits(t *testing.T) {
	type limits struct {
		abi, onError string
		timeout      time.Duration
		memory       int64
	}
	def := limits{"mothership", "block", 50 * time.Millisecond, 16 << 20}
	cases := []struct {
		name, keys string
		want       limits
		err        string // the line-3 problem's text, when the keys are bad
	}{
		{"none: all defaults", "", def, ""},
		{"every key", "abi = \"http-wasm\"\ntimeout = 0.2\nmemory_limit = \"32MiB\"\non_error = \"continue\"",
			limits{"http-wasm", "continue", 200 * time.Millisecond, 32 << 20}, ""},
		{"a duration string and integer bytes", "timeout = \"10ms\"\nmemory_limit = 131072", limits{"mothership", "block", 10 * time.Millisecond, 128 << 10}, ""},
		{"an unknown abi", "abi = \"proxy-wasm\"", def, `modules[0].abi: want "mothership" or "http-wasm"`},
		{"a phase for http-wasm", "abi = \"http-wasm\"\nphase = \"response\"", def, "modules[0].phase: phase does not apply to an http-wasm module"},
		{"an unknown on_error", "on_error = \"ignore\"", def, `modules[0].on_error: want "block" or "continue"`},
		{"a zero timeout", "timeout = 0", def, "modules[0].timeout: a module's timeout must be more than 0"},
		{"a size without a unit we know", "memory_limit = \"16MB\"", def, `modules[0].memory_limit: "16MB" is not a size`},
		{"a memory limit below a page", "memory_limit = 100", def, "modules[0].memory_limit: 100 bytes is out of range"},
	}
	for _, tc := range cases {
		doc := "[[modules]]\nname = \"m\"\nwasm = \"m.wasm\"\n" + tc.keys + "\n"
		m, err := manifest.Parse("mods.toml", []byte(doc), func(string) (string, bool) { return "", false })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), "mods.toml:") || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got error %v, want one with its line saying %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		md := m.Modules[0]
		if got := (limits{md.ABI, md.OnError, md.Timeout, md.MemoryLimit}); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
