package compress

import (
	"strings"

	"github.com/mothership-go/mothership/internal/httpsyntax"
	"github.com/mothership-go/mothership/pipeline"
)

// minSize is the smallest body worth encoding, when its Content-Length is
// known.
const minSize = 1024

// shouldCompress decides from the response head: not for 1xx, 204, 206,
// 304; not for a body already encoded, known to be under 1 KiB, of an
// incompressible or unknown type, or marked no-transform.
func shouldCompress(code int, h *pipeline.Header) bool {
	switch {
	case code < 200, code == 204, code == 206, code == 304:
		return false
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !httpsyntax.EqualFold(ce, "identity") {
		return false
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, ok := httpsyntax.ParseUint(cl); ok && n < minSize {
			return false
		}
	}
	for i := h.Index("Cache-Control", 0); i >= 0; i = h.Index("Cache-Control", i+1) {
		if httpsyntax.HasToken(h.Value(i), "no-transform") {
			return false
		}
	}
	return Compressible(h.Get("Content-Type"))
}

// incompressible are the media types that are compressed already (or
// binary enough not to gain), beside the image/, video/ and audio/ trees.
var incompressible = [...]string{
	"application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2",
	"application/x-xz", "application/zstd", "application/x-7z-compressed",
	"application/x-rar-compressed", "application/vnd.rar", "application/x-tar",
	"application/x-compress", "application/x-lzip", "application/java-archive",
	"application/font-woff", "application/font-woff2", "application/x-font-woff",
	"application/pdf", "application/octet-stream",
}

// Compressible says whether a media type (a Content-Type value, parameters
// allowed) is worth encoding. An empty type is not: a client would sniff
// the encoded bytes for one. It compares without case and allocates
// nothing.
func Compressible(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = httpsyntax.TrimOWS(ct)
	switch {
	case ct == "":
		return false
	case httpsyntax.EqualFold(ct, "image/svg+xml"):
		return true
	case hasPrefixFold(ct, "image/"), hasPrefixFold(ct, "video/"), hasPrefixFold(ct, "audio/"),
		hasPrefixFold(ct, "font/woff"):
		return false
	}
	for _, t := range incompressible {
		if httpsyntax.EqualFold(ct, t) {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether s starts with the lower-case prefix, in
// any case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && httpsyntax.EqualFold(s[:len(prefix)], prefix)
}

// AddVary adds Accept-Encoding to the response's Vary unless it is there
// already (or Vary is `*`): a cache must keep each coding apart.
func AddVary(h *pipeline.Header) {
	for i := h.Index("Vary", 0); i >= 0; i = h.Index("Vary", i+1) {
		if httpsyntax.HasToken(h.Value(i), "accept-encoding") || httpsyntax.HasToken(h.Value(i), "*") {
			return
		}
	}
	h.Add("Vary", "Accept-Encoding")
}
