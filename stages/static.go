package stages

// The static stage: `[[mothership.static_dirs]]` are served before the
// routes. The directory whose prefix is the longest to cover the path wins;
// a file it does not have (or a request it does not serve: not GET or HEAD,
// a path it refuses, a directory without index.html) falls through, to the
// route's next stage or, when no route matches, to the 404.
//
// Files are opened through an os.Root per directory, opened once when the
// server is built, so that nothing in a path (`..`, however encoded, or a
// symlink pointing out) reaches outside the directory; paths with `.` or
// `..` segments, backslashes or NULs are refused before that.

import (
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/routetree"
)

// staticFiles are a server's static directories, opened, and each bind's
// view of them.
type staticFiles struct {
	byBind map[string]*staticSite
}

// staticSite is one bind's static directories: the route stage of every
// route on the bind, and what the engine tries when no route matches.
type staticSite struct {
	tree *routetree.BindTree
	dirs map[*manifest.StaticDir]*os.Root
}

// openStatic opens the root of every static directory of m, once, and
// gives each bind of tree the ones it serves. Relative paths are relative
// to the manifest's directory.
func openStatic(m *manifest.Manifest, tree *routetree.Tree) (*staticFiles, error) {
	s := &staticFiles{byBind: map[string]*staticSite{}}
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
	for _, bt := range tree.Binds {
		if len(bt.StaticDirs) == 0 {
			continue
		}
		site := &staticSite{tree: bt, dirs: map[*manifest.StaticDir]*os.Root{}}
		for _, d := range bt.StaticDirs {
			site.dirs[d] = roots[d]
		}
		s.byBind[bt.Bind.Name] = site
	}
	return s, nil
}

// bind is the static directories of the named bind, nil when it has none
// (or when s, a compiler's without static directories, is nil).
func (s *staticFiles) bind(name string) *staticSite {
	if s == nil {
		return nil
	}
	return s.byBind[name]
}

// buildStatic gives a route the static stage when its bind has static
// directories.
func buildStatic(c *compiler, r *routetree.Route) (Stage, error) {
	if site := c.static.bind(r.Bind); site != nil {
		return site, nil
	}
	return nil, nil
}

// Serve answers with the file when there is one, else passes x on.
func (s *staticSite) Serve(x *Exchange, next Handler) {
	if !s.serve(x) {
		next.Serve(x)
	}
}

// serve answers x from the static directories and reports whether it did;
// a nil site serves nothing.
func (s *staticSite) serve(x *Exchange) bool {
	if s == nil || (x.Method != http.MethodGet && x.Method != http.MethodHead) {
		return false
	}
	d := s.tree.Static(x.Path)
	if d == nil {
		return false
	}
	root := s.dirs[d]
	name, ok := staticName(x.Path[len(d.Prefix):])
	if !ok {
		return false
	}
	fi, ok := statServable(root, name)
	if !ok {
		return false
	}
	if fi.IsDir() {
		// A directory is its index.html, never a listing.
		index := path.Join(name, "index.html")
		if fi, ok = statServable(root, index); !ok || fi.IsDir() {
			return false
		}
		if !strings.HasSuffix(x.Path, "/") {
			redirectToDir(x)
			return true
		}
		name = index
	} else if strings.HasSuffix(x.Path, "/") {
		return false // a file is not a directory
	}
	return serveFile(x, root, name, fi)
}

// staticName turns the part of the path under the prefix into a name for
// os.Root, or refuses it: `.` and `..` segments, empty ones, backslashes
// and NULs. The path is already percent-decoded, so `%2e%2e` is `..` here.
func staticName(rel string) (string, bool) {
	rel = strings.TrimPrefix(rel, "/")
	rel = strings.TrimSuffix(rel, "/")
	if rel == "" {
		return ".", true
	}
	if strings.ContainsAny(rel, "\\\x00") {
		return "", false
	}
	for seg := range strings.SplitSeq(rel, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", false
		}
	}
	return rel, true
}

// statServable stats name under root, following symlinks that stay in it:
// only regular files and directories are served (a FIFO would block).
func statServable(root *os.Root, name string) (fs.FileInfo, bool) {
	fi, err := root.Stat(name)
	if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		return nil, false
	}
	return fi, true
}

// redirectToDir sends a directory's path without its slash to the path
// with it, so that relative links in its index.html resolve.
func redirectToDir(x *Exchange) {
	loc := x.RawPath
	if loc == "" {
		loc = (&url.URL{Path: x.Path}).EscapedPath()
	}
	loc += "/"
	if x.RawQuery != "" {
		loc += "?" + x.RawQuery
	}
	h := x.Response.Header()
	h.Set("Location", loc)
	h["Content-Length"] = []string{"0"}
	x.Response.WriteHeader(http.StatusMovedPermanently)
}

// precompressed are the sibling files tried for a file, by coding.
var precompressed = [...]struct {
	enc encoding
	ext string
}{{encBrotli, ".br"}, {encGzip, ".gz"}}

const staticCodings = encodingSet(1<<encBrotli | 1<<encGzip)

// serveFile answers with the file name, or with its .br or .gz sibling when
// the client accepts that coding; http.ServeContent handles Range and the
// conditional requests against the ETag and Last-Modified set here.
func serveFile(x *Exchange, root *os.Root, name string, fi fs.FileInfo) bool {
	served, enc := name, encIdentity
	if ae := x.Header["Accept-Encoding"]; negotiate(ae, staticCodings) != encIdentity {
		var offered encodingSet
		var infos [numEncodings]fs.FileInfo
		for _, p := range precompressed {
			if sfi, err := root.Stat(name + p.ext); err == nil && sfi.Mode().IsRegular() {
				offered |= 1 << p.enc
				infos[p.enc] = sfi
			}
		}
		if e := negotiate(ae, offered); e != encIdentity {
			for _, p := range precompressed {
				if p.enc == e {
					served, enc, fi = name+p.ext, e, infos[e]
				}
			}
		}
	}
	f, err := root.Open(served)
	if err != nil {
		return false
	}
	defer f.Close()
	h := x.Response.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" && enc != encIdentity {
		ctype = "application/octet-stream" // sniffing would read the encoded bytes
	}
	if ctype != "" {
		h["Content-Type"] = []string{ctype}
	}
	h["Etag"] = []string{staticETag(fi, enc)}
	addVary(h)
	if enc != encIdentity {
		h["Content-Encoding"] = []string{enc.String()}
	}
	req := &http.Request{Method: x.Method, Header: x.Header, URL: &url.URL{Path: x.Path}, Proto: x.Proto}
	http.ServeContent(x.Response, req, name, fi.ModTime(), f)
	return true
}

// staticETag is a strong validator from the served file's modification
// time and size, and its coding, so that each representation has its own.
func staticETag(fi fs.FileInfo, enc encoding) string {
	b := make([]byte, 0, 48)
	b = append(b, '"')
	b = strconv.AppendInt(b, fi.ModTime().UnixNano(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, fi.Size(), 36)
	if enc != encIdentity {
		b = append(b, '-')
		b = append(b, enc.String()...)
	}
	b = append(b, '"')
	return string(b)
}
