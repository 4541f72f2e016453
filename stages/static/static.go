// Package static is the static-files stage: `[[mothership.static_dirs]]`
// are served before the routes. The directory whose prefix is the longest
// to cover the path wins; a file it does not have (or a request it does
// not serve: not GET or HEAD, a path it refuses, a directory without
// index.html) falls through, to the route's next stage or, when no route
// matches, to the 404 (Fallback).
//
// Files are opened through an os.Root per directory, opened once when the
// server is built, so that nothing in a path (`..`, however encoded, or a
// symlink pointing out) reaches outside the directory; paths with `.` or
// `..` segments, backslashes or NULs are refused before that. Files and
// directories whose name starts with `.` are not served (they fall
// through) unless the directory sets serve_dotfiles; `.well-known/` is.
//
// A file is answered with a strong ETag (its modification time, size and
// coding) through internal/content: Last-Modified, the conditional
// requests of RFC 9110 §13 and byte ranges, as the bays' file replies are.
// A `.br`, `.zst` or `.gz` sibling is served in the file's place when the client
// accepts that coding; its type is the file's. A text file without one is
// encoded on the fly and kept encoded, in a cache bounded in bytes
// (cache.go).
package static

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/routetree"
)

// key keeps a server's opened directories in pipeline.Build.Shared.
type key struct{}

// Build gives a route the stage when its bind has static directories.
func Build(b *pipeline.Build, r *routetree.Route) (pipeline.Stage, error) {
	return siteOf(b, r.Bind)
}

// Fallback gives a bind's requests that match no route the stage when the
// bind has static directories.
func Fallback(b *pipeline.Build, bt *routetree.BindTree) (pipeline.Stage, error) {
	return siteOf(b, bt.Bind.Name)
}

// siteOf is the named bind's stage, nil when it has no static directory.
func siteOf(b *pipeline.Build, bind string) (pipeline.Stage, error) {
	v, err := b.Shared(key{}, func() (any, error) { return open(b.Manifest, b.Tree) })
	if err != nil {
		return nil, err
	}
	if s := v.(sites)[bind]; s != nil {
		return s, nil
	}
	return nil, nil
}

// sites are a server's static directories by bind.
type sites map[string]*site

// site is one bind's static directories, each with its opened root.
type site struct {
	tree  *routetree.BindTree
	dirs  map[*manifest.StaticDir]*os.Root
	cache *encodedCache // the server's, shared by its binds
}

// open opens the root of every static directory of m, once, and gives
// each bind of tree the ones it serves. Relative paths are relative to the
// manifest's directory.
func open(m *manifest.Manifest, tree *routetree.Tree) (sites, error) {
	roots := map[*manifest.StaticDir]*os.Root{}
	for _, d := range m.Mothership.StaticDirs {
		dir := d.Path
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(m.Dir, dir)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			for _, r := range roots {
				r.Close()
			}
			return nil, fmt.Errorf("%s (line %d): static directory: %w", d.Pos.Key, d.Pos.Line, err)
		}
		roots[d] = root
	}
	s := sites{}
	cache := newEncodedCache()
	for _, bt := range tree.Binds {
		if len(bt.StaticDirs) == 0 {
			continue
		}
		st := &site{tree: bt, dirs: map[*manifest.StaticDir]*os.Root{}, cache: cache}
		for _, d := range bt.StaticDirs {
			st.dirs[d] = roots[d]
		}
		s[bt.Bind.Name] = st
	}
	return s, nil
}

// Serve answers with the file when there is one, else passes x on.
func (s *site) Serve(x *pipeline.Exchange, next pipeline.Handler) {
	if !s.serve(x) {
		next.Serve(x)
	}
}

// serve answers x from the static directories and reports whether it did.
func (s *site) serve(x *pipeline.Exchange) bool {
	if x.Method != "GET" && x.Method != "HEAD" {
		return false
	}
	d := s.tree.Static(x.Path)
	if d == nil {
		return false
	}
	root := s.dirs[d]
	name, ok := fileName(x.Path[len(d.Prefix):])
	if !ok || !d.ServeDotfiles && isDotName(name) {
		return false
	}
	fi, ok := statServable(root, name)
	if !ok {
		return false
	}
	if fi.IsDir() {
		// A directory is its index.html, never a listing.
		index := name + "/index.html"
		if name == "." {
			index = "index.html"
		}
		if fi, ok = statServable(root, index); !ok || fi.IsDir() {
			return false
		}
		if !hasSlashSuffix(x.Path) {
			redirectToDir(x)
			return true
		}
		name = index
	} else if hasSlashSuffix(x.Path) {
		return false // a file is not a directory
	}
	return s.serveFile(x, root, name, fi)
}

func hasSlashSuffix(p string) bool { return len(p) > 0 && p[len(p)-1] == '/' }

// redirectToDir sends a directory's path without its slash to the path
// with it, so that relative links in its index.html resolve.
func redirectToDir(x *pipeline.Exchange) {
	loc := x.RawPath + "/"
	if x.RawQuery != "" {
		loc += "?" + x.RawQuery
	}
	h := x.Response.Header()
	h.Set("Location", loc)
	h.Set("Content-Length", "0")
	x.Response.WriteHeader(301)
}
