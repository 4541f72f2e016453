package wasm

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/tetratelabs/wazero"
)

// CacheDirEnv names the environment variable that moves the compiled
// modules' cache: a directory, or "off" to keep them in memory only.
const CacheDirEnv = "MOTHERSHIP_WASM_CACHE"

// compiled is the cache of the modules' machine code, made on first use.
// It is kept on disk, so that the next start, `clearance` or reload does
// not compile the same file again (a Go guest of a few MiB takes about a
// second): wazero keys each entry by the module's hash, its own version and
// the CPU, so a changed file or binary compiles afresh. In memory too, so
// that one process compiles a file once.
var compiled = sync.OnceValues(openCache)

// cacheNote says once per process why the cache is not on disk.
var cacheNote sync.Once

// openCache opens the cache under the user's cache directory (or
// $MOTHERSHIP_WASM_CACHE); note says why it stays in memory when it does.
func openCache() (c wazero.CompilationCache, note string) {
	dir := os.Getenv(CacheDirEnv)
	if dir == "off" {
		return wazero.NewCompilationCache(), ""
	}
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return wazero.NewCompilationCache(), fmt.Sprintf("no cache directory for compiled modules (%v; set %s): each start compiles them again", err, CacheDirEnv)
		}
		dir = filepath.Join(base, "mothership", "wasm")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return wazero.NewCompilationCache(), fmt.Sprintf("compiled modules are not cached on disk (%v): each start compiles them again", err)
	}
	c, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		return wazero.NewCompilationCache(), fmt.Sprintf("compiled modules are not cached in %s (%v): each start compiles them again", dir, err)
	}
	return c, ""
}
