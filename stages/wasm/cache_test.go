package wasm

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"

	"github.com/mothership-go/mothership/stages/wasm/wasmtest"
)

// TestMain keeps the package's compiled modules out of the user's cache
// directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wasm-cache")
	if err != nil {
		panic(err)
	}
	os.Setenv(CacheDirEnv, dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestCompiledModulesAreCachedOnDisk opens the cache as a start would and
// checks where the machine code goes, or why it stays in memory.
func TestCompiledModulesAreCachedOnDisk(t *testing.T) {
	code := wasmtest.Module{Funcs: []wasmtest.Func{{Export: "on_request"}}}.Bytes()
	tmp := t.TempDir()
	blocker := filepath.Join(tmp, "a-file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, env string
		dir       string // where entries must appear; "" for nowhere
		note      string // a part of the warning; "" for none
	}{
		{"a directory of one's own", filepath.Join(tmp, "cache"), filepath.Join(tmp, "cache"), ""},
		{"off keeps it in memory", "off", "", ""},
		{"a file in the way is said", filepath.Join(blocker, "cache"), "", "each start compiles them again"},
	}
	for _, tc := range cases {
		t.Setenv(CacheDirEnv, tc.env)
		c, note := openCache()
		if tc.note == "" && note != "" || !strings.Contains(note, tc.note) {
			t.Errorf("%s: the note is %q, want %q", tc.name, note, tc.note)
		}
		ctx := context.Background()
		rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(c))
		if _, err := rt.CompileModule(ctx, code); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		rt.Close(ctx)
		c.Close(ctx)
		if tc.dir == "" {
			continue
		}
		var files int
		filepath.WalkDir(tc.dir, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files++
			}
			return nil
		})
		if files == 0 {
			t.Errorf("%s: nothing was cached in %s", tc.name, tc.dir)
		}
	}
}
