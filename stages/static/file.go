package static

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"

	"github.com/mothership-go/mothership/internal/content"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/stages/compress"
)

// precompressed are the sibling files tried for a file, by coding.
var precompressed = [...]struct {
	enc compress.Encoding
	ext string
}{{compress.Brotli, ".br"}, {compress.Zstd, ".zst"}, {compress.Gzip, ".gz"}}

// siblingCodings are the codings a sibling may have.
var siblingCodings = compress.Set(0).With(compress.Brotli).With(compress.Zstd).With(compress.Gzip)

// serveFile answers with the file name: its .br, .zst or .gz sibling when
// the client accepts that coding, else the file encoded on the fly when it
// is text the client accepts encoded (see cache.go), else the file itself,
// through internal/content (the conditional requests and ranges); it
// reports false when the file cannot be opened after all.
func (s *site) serveFile(x *pipeline.Exchange, root *os.Root, name string, fi fs.FileInfo) bool {
	served, enc := name, compress.Identity
	if compress.Negotiate(&x.Header, siblingCodings) != compress.Identity {
		served, enc, fi = sibling(x, root, name, fi)
	}
	f, err := root.Open(served)
	if err != nil {
		return false
	}
	defer f.Close()
	h := x.Response.Header()
	ctype := content.Type(name)
	if ctype == "" && enc != compress.Identity {
		ctype = "application/octet-stream" // sniffing would read the encoded bytes
	} else if ctype == "" {
		ctype = sniff(f)
	}
	h.Set("Content-Type", ctype)
	var body io.ReaderAt = f
	size := fi.Size()
	if enc == compress.Identity {
		if data, e := s.encodeOnTheFly(x, root, name, f, fi, ctype); data != nil {
			body, size, enc = bytes.NewReader(data), int64(len(data)), e
		}
	}
	h.Set("Etag", etagOf(fi, enc))
	compress.AddVary(h)
	if enc != compress.Identity {
		h.Set("Content-Encoding", enc.String())
	}
	_ = content.Serve(x, body, size, fi.ModTime()) // a failed write: the client is gone
	return true
}

// encodeOnTheFly returns the file encoded in the coding the client
// prefers, from the cache or encoded now and kept; nil when it is not to
// be encoded (not text, too small or too large, no coding accepted, or
// the file could not be read).
func (s *site) encodeOnTheFly(x *pipeline.Exchange, root *os.Root, name string, f *os.File, fi fs.FileInfo, ctype string) ([]byte, compress.Encoding) {
	if fi.Size() < minEncoded || fi.Size() > maxEncoded || !compress.Compressible(ctype) {
		return nil, compress.Identity
	}
	enc := compress.Negotiate(&x.Header, compress.All)
	if enc == compress.Identity {
		return nil, enc
	}
	k := cacheKey{root: root, name: name, enc: enc}
	if data, ok := s.cache.get(k, fi.ModTime(), fi.Size()); ok {
		return data, enc
	}
	src := make([]byte, fi.Size())
	if _, err := f.ReadAt(src, 0); err != nil {
		return nil, compress.Identity
	}
	data, err := compress.Encode(enc, src)
	if err != nil {
		return nil, compress.Identity
	}
	s.cache.put(k, fi.ModTime(), fi.Size(), data)
	return data, enc
}

// sibling is the precompressed file the client prefers to name, with its
// coding and info; name itself when there is none it accepts.
func sibling(x *pipeline.Exchange, root *os.Root, name string, fi fs.FileInfo) (string, compress.Encoding, fs.FileInfo) {
	var offered compress.Set
	var infos [len(precompressed)]fs.FileInfo
	for i, p := range precompressed {
		if sfi, err := root.Stat(name + p.ext); err == nil && sfi.Mode().IsRegular() {
			offered = offered.With(p.enc)
			infos[i] = sfi
		}
	}
	e := compress.Negotiate(&x.Header, offered)
	for i, p := range precompressed {
		if e != compress.Identity && p.enc == e {
			return name + p.ext, e, infos[i]
		}
	}
	return name, compress.Identity, fi
}

// etagOf is a strong validator from the served file's modification time
// and size, and its coding, so that each representation has its own.
func etagOf(fi fs.FileInfo, enc compress.Encoding) string {
	b := make([]byte, 0, 48)
	b = append(b, '"')
	b = strconv.AppendInt(b, fi.ModTime().UnixNano(), 36)
	b = append(b, '-')
	b = strconv.AppendInt(b, fi.Size(), 36)
	if enc != compress.Identity {
		b = append(b, '-')
		b = append(b, enc.String()...)
	}
	b = append(b, '"')
	return string(b)
}

// sniff guesses the type of a file without a known extension from its
// first bytes (the WHATWG algorithm), and rewinds it.
func sniff(f *os.File) string {
	var buf [512]byte
	n, _ := io.ReadFull(f, buf[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "application/octet-stream"
	}
	return http.DetectContentType(buf[:n])
}
