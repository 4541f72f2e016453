package static

import (
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"sync"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/stages/compress"
)

// precompressed are the sibling files tried for a file, by coding.
var precompressed = [...]struct {
	enc compress.Encoding
	ext string
}{{compress.Brotli, ".br"}, {compress.Gzip, ".gz"}}

// siblingCodings are the codings a sibling may have.
var siblingCodings = compress.Set(0).With(compress.Brotli).With(compress.Gzip)

// The answers the stage makes itself.
var (
	answerPrecondition = pipeline.NewAnswer(412, "412 precondition failed")
	answerBadRange     = pipeline.NewAnswer(416, "416 range not satisfiable")
)

// copyBuffers are the buffers a file's bytes go through to the client.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// serveFile answers with the file name, or with its .br or .gz sibling
// when the client accepts that coding, after the conditional requests and
// the Range; it reports false when the file cannot be opened after all.
func serveFile(x *pipeline.Exchange, root *os.Root, name string, fi fs.FileInfo) bool {
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
	ctype := contentType(name)
	if ctype == "" && enc != compress.Identity {
		ctype = "application/octet-stream" // sniffing would read the encoded bytes
	} else if ctype == "" {
		ctype = sniff(f)
	}
	h.Set("Content-Type", ctype)
	etag := etagOf(fi, enc)
	h.Set("Etag", etag)
	h.Set("Last-Modified", fi.ModTime().UTC().Format(timeFormat))
	compress.AddVary(h)
	if enc != compress.Identity {
		h.Set("Content-Encoding", enc.String())
	}
	switch preconditions(x, etag, fi.ModTime()) {
	case 304:
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		x.Response.WriteHeader(304)
		return true
	case 412:
		answerPrecondition.Write(x.Response)
		return true
	}
	h.Set("Accept-Ranges", "bytes")
	start, length, status := wantedRange(x, etag, fi)
	switch status {
	case 416:
		h.Set("Content-Range", "bytes */"+strconv.FormatInt(fi.Size(), 10))
		answerBadRange.Write(x.Response)
		return true
	case 206:
		h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+length-1, 10)+"/"+strconv.FormatInt(fi.Size(), 10))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	x.Response.WriteHeader(status)
	if x.Method != "HEAD" {
		copyFile(x, f, start, length)
	}
	return true
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

// copyFile sends length bytes of f from start. A failed write means the
// client is gone; a failed read is cut short by the engine, which closes a
// connection whose body ended before its Content-Length.
func copyFile(x *pipeline.Exchange, f *os.File, start, length int64) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	_, _ = io.CopyBuffer(writerOnly{x.Response}, io.NewSectionReader(f, start, length), *bp)
}

// writerOnly hides everything of the response but Write, so that
// io.CopyBuffer uses the buffer it is given.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

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

// contentType is the media type of a file name, from its extension (see
// mimeTypes); "" when unknown.
func contentType(name string) string {
	return mimeByExtension(path.Ext(name))
}

// timeFormat is the IMF-fixdate of RFC 9110 §5.6.7.
const timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
