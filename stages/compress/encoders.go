package compress

import (
	"compress/gzip"
	"compress/zlib"
	"io"
	"sync"

	"github.com/andybalholm/brotli"
)

// Compression levels: fast enough to run on every response on the fly.
const (
	gzipLevel    = gzip.DefaultCompression
	deflateLevel = zlib.DefaultCompression
	brotliLevel  = 4
)

// encoder is what the three encoders have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
}

// encoderPool pools the encoders of one coding: an encoder's memory
// (brotli's and gzip's windows) is the costly part to allocate, so every
// route and server shares them.
type encoderPool struct {
	enc  Encoding
	pool sync.Pool
}

// pools are the process's encoder pools, by coding.
var pools = [numEncodings]*encoderPool{
	Brotli:  {enc: Brotli},
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
	}
}
