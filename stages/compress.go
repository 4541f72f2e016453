package stages

// The compression stage: with `compression = true`, every route's answers
// are encoded as br, gzip or deflate (zlib), as the client's Accept-Encoding
// prefers, while they stream: nothing is buffered, and a flush from upstream
// (server-sent events) flushes the encoder, so the client gets each event
// as it was sent.

import (
	"compress/gzip"
	"compress/zlib"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/mothership-go/mothership/routetree"
)

// Compression levels: fast enough to run on every response on the fly.
const (
	gzipLevel    = gzip.DefaultCompression
	deflateLevel = zlib.DefaultCompression
	brotliLevel  = 4
	// minCompressSize is the smallest body worth encoding, when its
	// Content-Length is known.
	minCompressSize = 1024
)

// buildCompress gives every route the compression stage when the manifest
// says `compression = true`.
func buildCompress(c *compiler, _ *routetree.Route) (Stage, error) {
	if !c.compression {
		return nil, nil
	}
	return &compress{pools: [numEncodings]*encoderPool{
		encBrotli:  encoderPoolFor(encBrotli, brotliLevel),
		encGzip:    encoderPoolFor(encGzip, gzipLevel),
		encDeflate: encoderPoolFor(encDeflate, deflateLevel),
	}}, nil
}

// compress is the compression stage of a route.
type compress struct {
	pools [numEncodings]*encoderPool
}

var compressWriters = sync.Pool{New: func() any { return new(compressWriter) }}

// Serve picks the coding from the request and, when it is not identity,
// puts an encoding writer under the response for the stages after it.
func (s *compress) Serve(x *Exchange, next Handler) {
	if x.Method == http.MethodHead || len(x.Header["Upgrade"]) > 0 {
		next.Serve(x)
		return
	}
	enc := negotiate(x.Header["Accept-Encoding"], allCompressions)
	if enc == encIdentity {
		next.Serve(x)
		return
	}
	cw := compressWriters.Get().(*compressWriter)
	*cw = compressWriter{enc: enc, pool: s.pools[enc]}
	// Forward writes to the engine's writer, not to x.Response (it hands
	// net/http's request and writer to ReverseProxy), so under net/http the
	// encoder goes beneath the engine's writer, which keeps recording the
	// status and hijacking; under any other writer it wraps x.Response.
	rw, engine := x.Response.(*responseWriter)
	saved := x.Response
	if engine {
		cw.under = rw.rw
		rw.rw = cw
	} else {
		cw.under = saved
		x.Response = cw
	}
	under, completed := cw.under, false
	defer func() {
		// The writer is put back before the stages before this one go on
		// with the response, and before cw is pooled.
		if engine {
			rw.rw = under
		} else {
			x.Response = saved
		}
		// After a panic (ReverseProxy aborting) the encoder is dropped with
		// the connection, not pooled half-written.
		if completed {
			cw.finish()
			*cw = compressWriter{}
			compressWriters.Put(cw)
		}
	}()
	next.Serve(x)
	completed = true
}

// compressWriter decides at the response head whether to encode, then
// encodes the body through a pooled encoder.
type compressWriter struct {
	under   http.ResponseWriter
	enc     encoding
	pool    *encoderPool
	w       encoder // nil: passing through
	decided bool
	failed  error
}

func (cw *compressWriter) Header() http.Header { return cw.under.Header() }

func (cw *compressWriter) WriteHeader(code int) {
	if cw.decided || code < 200 {
		cw.under.WriteHeader(code) // 1xx heads are interim
		return
	}
	cw.decided = true
	h := cw.under.Header()
	if shouldCompress(code, h) {
		delete(h, "Content-Length")
		delete(h, "Accept-Ranges") // ranges of the encoded body are not offered
		h["Content-Encoding"] = []string{cw.enc.String()}
		addVary(h)
		if etag := h.Get("Etag"); etag != "" && !strings.HasPrefix(etag, "W/") {
			h.Set("Etag", "W/"+etag)
		}
		cw.w = cw.pool.get(cw.under)
	}
	cw.under.WriteHeader(code)
}

func (cw *compressWriter) Write(p []byte) (int, error) {
	if !cw.decided {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.w == nil {
		return cw.under.Write(p)
	}
	if cw.failed != nil {
		return 0, cw.failed
	}
	n, err := cw.w.Write(p)
	if err != nil {
		cw.failed = err
	}
	return n, err
}

// FlushError flushes what the encoder holds, then the connection: a flush
// upstream is a flush to the client.
func (cw *compressWriter) FlushError() error {
	if !cw.decided {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.w != nil && cw.failed == nil {
		if err := cw.w.Flush(); err != nil {
			cw.failed = err
			return err
		}
	}
	return http.NewResponseController(cw.under).Flush()
}

// Unwrap lets http.ResponseController find Hijack and the deadlines.
func (cw *compressWriter) Unwrap() http.ResponseWriter { return cw.under }

// finish ends the encoded stream and pools the encoder.
func (cw *compressWriter) finish() {
	if cw.w == nil {
		return
	}
	if cw.failed == nil {
		cw.failed = cw.w.Close()
	}
	cw.pool.put(cw.w, cw.failed == nil)
	cw.w = nil
}

// shouldCompress decides from the response head: not for 1xx, 204, 206,
// 304; not for a body already encoded, known to be under 1 KiB, of an
// incompressible or unknown type, or marked no-transform.
func shouldCompress(code int, h http.Header) bool {
	switch {
	case code < 200, code == http.StatusNoContent, code == http.StatusPartialContent, code == http.StatusNotModified:
		return false
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !equalFoldASCII(ce, "identity") {
		return false
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n < minCompressSize {
			return false
		}
	}
	if strings.Contains(strings.ToLower(h.Get("Cache-Control")), "no-transform") {
		return false
	}
	return compressibleType(h.Get("Content-Type"))
}

// compressibleType says whether a media type is worth encoding. An empty
// type is not: net/http would sniff the encoded bytes for one.
func compressibleType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.ToLower(strings.TrimSpace(ct))
	switch {
	case ct == "":
		return false
	case ct == "image/svg+xml":
		return true
	case strings.HasPrefix(ct, "image/"), strings.HasPrefix(ct, "video/"), strings.HasPrefix(ct, "audio/"),
		strings.HasPrefix(ct, "font/woff"):
		return false
	}
	switch ct {
	case "application/zip", "application/gzip", "application/x-gzip", "application/x-bzip2",
		"application/x-xz", "application/zstd", "application/x-7z-compressed",
		"application/x-rar-compressed", "application/vnd.rar", "application/x-tar",
		"application/x-compress", "application/x-lzip", "application/java-archive",
		"application/font-woff", "application/font-woff2", "application/x-font-woff",
		"application/pdf", "application/octet-stream":
		return false
	}
	return true
}

// addVary adds Accept-Encoding to Vary unless it is there already.
func addVary(h http.Header) {
	for _, v := range h["Vary"] {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, "Accept-Encoding") {
				return
			}
		}
	}
	h.Add("Vary", "Accept-Encoding")
}

// encoder is what the three encoders have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
}

// encoderPool pools the encoders of one coding at one level.
type encoderPool struct {
	enc   encoding
	level int
	pool  sync.Pool
}

type poolKey struct {
	enc   encoding
	level int
}

// encoderPools are shared by every route and server: an encoder's memory
// (brotli's and gzip's windows) is the costly part to allocate.
var encoderPools sync.Map // poolKey → *encoderPool

func encoderPoolFor(enc encoding, level int) *encoderPool {
	k := poolKey{enc, level}
	if p, ok := encoderPools.Load(k); ok {
		return p.(*encoderPool)
	}
	p, _ := encoderPools.LoadOrStore(k, &encoderPool{enc: enc, level: level})
	return p.(*encoderPool)
}

// get returns an encoder writing to w.
func (p *encoderPool) get(w io.Writer) encoder {
	if e, ok := p.pool.Get().(encoder); ok {
		switch e := e.(type) {
		case *gzip.Writer:
			e.Reset(w)
		case *zlib.Writer:
			e.Reset(w)
		case *brotli.Writer:
			e.Reset(w)
		}
		return e
	}
	switch p.enc {
	case encGzip:
		e, _ := gzip.NewWriterLevel(w, p.level)
		return e
	case encDeflate:
		e, _ := zlib.NewWriterLevel(w, p.level)
		return e
	default:
		return brotli.NewWriterLevel(w, p.level)
	}
}

// put pools e again once it is no longer writing to the response; an
// encoder that failed is dropped.
func (p *encoderPool) put(e encoder, ok bool) {
	if !ok {
		return
	}
	switch e := e.(type) {
	case *gzip.Writer:
		e.Reset(io.Discard)
	case *zlib.Writer:
		e.Reset(io.Discard)
	case *brotli.Writer:
		e.Reset(io.Discard)
	}
	p.pool.Put(e)
}
