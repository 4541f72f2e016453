package pipeline

import (
	"errors"
	"net/url"
	"strings"
)

// errPathEscape is a request path whose percent escape is malformed.
var errPathEscape = errors.New("the request path has a malformed percent escape")

// SplitTarget sets RawPath, RawQuery and Path from Target, the way every
// engine (HTTP/1.1 and HTTP/2) reads an origin-form target; it fails on a
// malformed percent escape in the path. It allocates only to unescape.
func (x *Exchange) SplitTarget() error {
	x.RawPath, x.RawQuery = x.Target, ""
	if i := strings.IndexByte(x.Target, '?'); i >= 0 {
		x.RawPath, x.RawQuery = x.Target[:i], x.Target[i+1:]
	}
	x.Path = x.RawPath
	if strings.IndexByte(x.RawPath, '%') >= 0 {
		p, err := url.PathUnescape(x.RawPath)
		if err != nil {
			return errPathEscape
		}
		x.Path = p
	}
	return nil
}
