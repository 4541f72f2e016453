package static

import (
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
}{{compress.Brotli, ".br"}, {compress.Gzip, ".gz"}}

// siblingCodings are the codings a sibling may have.
var siblingCodings = compress.Set(0).With(compress.Brotli).With(compress.Gzip)

// serveFile answers with the file name, or with its .br or .gz sibling
// when the client accepts that coding, through internal/content (the
// conditional requests and ranges); it reports false when the file cannot
// be opened after all.
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
	ctype := content.Type(name)
	if ctype == "" && enc != compress.Identity {
		ctype = "application/octet-stream" // sniffing would read the encoded bytes
	} else if ctype == "" {
		ctype = sniff(f)
	}
	h.Set("Content-Type", ctype)
	h.Set("Etag", etagOf(fi, enc))
	compress.AddVary(h)
	if enc != compress.Identity {
		h.Set("Content-Encoding", enc.String())
	}
	_ = content.Serve(x, f, fi.Size(), fi.ModTime()) // a failed write: the client is gone
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
