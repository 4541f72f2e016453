package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/pelletier/go-toml/v2"
)

// DefaultFiles are the names tried, in order, when no manifest is named: the
// crate README's name, then the blog's.
var DefaultFiles = []string{"ship-manifest.toml", "mothership.toml"}

// Find returns the manifest path to use: explicit when set, else the first
// of DefaultFiles that exists in the working directory.
func Find(explicit string) (string, error) {
	if explicit != "" {
		return explicit, nil
	}
	for _, name := range DefaultFiles {
		if _, err := os.Stat(name); err == nil {
			return name, nil
		}
	}
	return "", fmt.Errorf("manifest: no %s or %s here; name one with -c FILE, or write one with `mothership init`", DefaultFiles[0], DefaultFiles[1])
}

// LookupFunc looks up an environment variable, as os.LookupEnv does.
type LookupFunc func(string) (string, bool)

// Load reads and validates the manifest at path, expanding variables from
// the process environment. See Parse.
func Load(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("manifest: %s does not exist", path)
		}
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse reads and validates a manifest held in memory; file names it in
// problems. When the TOML itself is broken it returns a nil Manifest; when
// the TOML is sound but the manifest has errors it returns the manifest as
// far as it could be read together with Problems listing every error, so
// that later passes (the route compiler) can add theirs to the same report.
func Parse(file string, data []byte, lookup LookupFunc) (*Manifest, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxProblem(file, err)
	}
	r := &reader{file: file, pos: indexPositions(data), env: lookup}
	root := r.table("", doc)
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m := &Manifest{File: file, Dir: dir, Mothership: defaultMothership()}
	if isWarpDrive(doc) {
		m.Dialect = DialectWarpDrive
		readWarpDrive(root, m)
	} else {
		readMain(root, m)
	}
	validate(r, m)
	r.probs.Sort()
	m.Warnings = r.probs.Warnings()
	if errs := r.probs.Errors(); len(errs) > 0 {
		return m, errs
	}
	return m, nil
}

func syntaxProblem(file string, err error) error {
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		return Problems{{File: file, Line: line, Key: keyString(de.Key()), Message: "TOML: " + de.Error()}}
	}
	return Problems{{File: file, Message: "TOML: " + err.Error()}}
}

func keyString(k []string) string {
	path := ""
	for _, p := range k {
		path = joinKey(path, p)
	}
	return path
}

func isWarpDrive(doc map[string]any) bool {
	main := []string{"mothership", "fleet", "bays", "config", "ships", "modules", "plugins", "base"}
	for k := range doc {
		if slices.Contains(main, k) {
			return false
		}
	}
	_, server := doc["server"]
	_, upstreams := doc["upstreams"]
	_, routes := doc["routes"]
	return server || upstreams || routes
}
