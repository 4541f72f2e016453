package compress

import (
	"io"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
)

// Compression levels: fast enough to run on every response on the fly.
// gzip and deflate come from klauspost/compress, faster than the standard
// library's at the same ratio.
const (
	gzipLevel    = gzip.DefaultCompression
	deflateLevel = zlib.DefaultCompression
	brotliLevel  = 4
	zstdLevel    = zstd.SpeedDefault
	// zstdWindow bounds a zstd encoder's window (and so a decoder's
	// memory): a response is rarely larger, and every pooled encoder holds
	// one.
	zstdWindow = 1 << 20
)

// encoder is what the encoders have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
}

// encoderPool pools the encoders of one coding: an encoder's memory
// (its window) is the costly part to allocate, so every route and server
// shares them.
type encoderPool struct {
	enc  Encoding
	pool sync.Pool
}

// pools are the process's encoder pools, by coding.
var pools = [numEncodings]*encoderPool{
	Brotli:  {enc: Brotli},
	Zstd:    {enc: Zstd},
	Gzip:    {enc: Gzip},
	Deflate: {enc: Deflate},
}

// get returns an encoder writing to w.
func (p *encoderPool) get(w io.Writer) encoder {
	if e, ok := p.pool.Get().(encoder); ok {
		reset(e, w)
		return e
	}
	switch p.enc {
	case Gzip:
		e, _ := gzip.NewWriterLevel(w, gzipLevel)
		return e
	case Deflate:
		e, _ := zlib.NewWriterLevel(w, deflateLevel)
		return e
	case Zstd:
		// One goroutine per encoder: the request is the unit of
		// concurrency, and no encoder starts goroutines of its own.
		e, _ := zstd.NewWriter(w, zstd.WithEncoderLevel(zstdLevel), zstd.WithEncoderConcurrency(1),
			zstd.WithWindowSize(zstdWindow), zstd.WithLowerEncoderMem(true))
		return e
	default:
		return brotli.NewWriterLevel(w, brotliLevel)
	}
}

// put pools e again once it no longer writes to the response; an encoder
// that failed is dropped.
func (p *encoderPool) put(e encoder, ok bool) {
	if !ok {
		return
	}
	reset(e, io.Discard) // holds no response writer while pooled
	p.pool.Put(e)
}

func reset(e encoder, w io.Writer) {
	switch e := e.(type) {
	case *gzip.Writer:
		e.Reset(w)
	case *zlib.Writer:
		e.Reset(w)
	case *brotli.Writer:
		e.Reset(w)
	case *zstd.Encoder:
		e.Reset(w)
	}
}
