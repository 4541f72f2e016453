package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/manifest"
	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// fields is a header list of name, value pairs.
func fields(kv ...string) *pipeline.Header {
	h := &pipeline.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		name, ae string
		want     Encoding
	}{
		{"none", "", Identity},
		{"browser", "gzip, deflate, br, zstd", Brotli},
		{"curl", "deflate, gzip", Gzip},
		{"deflate only", "deflate", Deflate},
		{"br preferred at equal q", "deflate;q=0.8, gzip;q=0.8, br;q=0.8", Brotli},
		{"gzip preferred over deflate at equal q", "deflate, gzip", Gzip},
		{"higher q wins", "br;q=0.5, gzip;q=0.9", Gzip},
		{"br;q=0", "br;q=0, gzip", Gzip},
		{"everything refused", "br;q=0, gzip;q=0, deflate;q=0", Identity},
		{"star", "*", Brotli},
		{"star with br refused", "*, br;q=0", Gzip},
		{"star with a lower q than gzip", "*;q=0.1, gzip;q=0.2", Gzip},
		{"star;q=0", "*;q=0", Identity},
		{"star;q=0 with identity", "*;q=0, identity", Identity},
		{"identity;q=0 alone", "identity;q=0", Identity},
		{"identity;q=0 with gzip", "identity;q=0, gzip", Gzip},
		{"identity preferred by q", "gzip;q=0.5, identity", Identity},
		{"identity at the same q", "gzip, identity", Gzip},
		{"unknown only", "zstd, compress", Identity},
		{"case", "GZIP;Q=1", Gzip},
		{"x-gzip", "x-gzip", Gzip},
		{"spaces", " gzip ; q = 0.3 ,\tbr\t;\tq=0.2 ", Gzip},
		{"q with three decimals", "gzip;q=0.001, br;q=0.002", Brotli},
		{"malformed q ignored", "br;q=1.5, gzip;q=abc, deflate;q=0.1", Deflate},
		{"q too precise ignored", "br;q=0.0001, gzip", Gzip},
		{"empty elements", ",,;, gzip,,", Gzip},
		{"other parameters", "gzip;level=9;q=0.4, deflate;q=0.3", Gzip},
	} {
		if got := Negotiate(fields("Accept-Encoding", tc.ae), All); got != tc.want {
			t.Errorf("%s: Accept-Encoding %q: %s, want %s", tc.name, tc.ae, got, tc.want)
		}
	}
	// Several header lines are one list.
	if got := Negotiate(fields("Accept-Encoding", "br;q=0.1", "Accept-Encoding", "gzip;q=0.2"), All); got != Gzip {
		t.Errorf("two header lines: %s, want gzip", got)
	}
	// Only what is offered.
	if got := Negotiate(fields("Accept-Encoding", "br, gzip"), Set(0).With(Gzip)); got != Gzip {
		t.Errorf("br not offered: %s, want gzip", got)
	}
}

var acceptEncodingSink Encoding

func TestNegotiateNoAllocations(t *testing.T) {
	ae := fields("User-Agent", "curl/8", "Accept-Encoding", "gzip;q=0.8, deflate;q=0.5, br;q=0.9, identity;q=0.1, *;q=0")
	if a := testing.AllocsPerRun(1000, func() { acceptEncodingSink = Negotiate(ae, All) }); a != 0 {
		t.Errorf("encoder selection: %v allocs, want 0", a)
	}
	if acceptEncodingSink != Brotli {
		t.Errorf("negotiated %s, want br", acceptEncodingSink)
	}
}

func BenchmarkNegotiate(b *testing.B) {
	for _, ae := range []string{"gzip, deflate, br, zstd", "gzip;q=0.8, deflate;q=0.5, br;q=0.9, identity;q=0.1, *;q=0"} {
		b.Run(ae, func(b *testing.B) {
			v := fields("Accept-Encoding", ae)
			b.ReportAllocs()
			for b.Loop() {
				acceptEncodingSink = Negotiate(v, All)
			}
		})
	}
}

// text is a pipeline's rest that answers with a large compressible body.
type text struct{}

var textBody = strings.Repeat("All work and no play makes Jack a dull boy. ", 200)

func (text) Serve(x *pipeline.Exchange) {
	x.Response.Header().Set("Content-Type", "text/plain")
	x.Response.Header().Set("Content-Length", "8800")
	io.WriteString(x.Response, textBody)
}

// TestStagePutsTheWriterBack checks that the stage puts the writer back
// when it returns, so that the stages before it go on with the real one,
// and that what it wrote decodes to the body.
func TestStagePutsTheWriterBack(t *testing.T) {
	m := &manifest.Manifest{}
	m.Mothership.Compression = true
	s, err := Build(&pipeline.Build{Manifest: m}, nil)
	if err != nil || s == nil {
		t.Fatalf("Build with compression on: %v, %v", s, err)
	}
	for range 3 { // the writer and encoder come from pools: reuse stays right
		rec := &pipelinetest.Recorder{}
		x := &pipeline.Exchange{Method: "GET", Response: rec}
		x.Header.Add("Accept-Encoding", "gzip")
		s.Serve(x, text{})
		if x.Response != rec {
			t.Fatalf("the writer was not put back")
		}
		h := rec.Header()
		if h.Get("Content-Encoding") != "gzip" || h.Has("Content-Length") || h.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("head %v: want gzip, no Content-Length, Vary", h.Fields())
		}
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(zr); err != nil || string(got) != textBody {
			t.Fatalf("decoded %d bytes (%v), want %d", len(got), err, len(textBody))
		}
	}
	m.Mothership.Compression = false
	if s, err := Build(&pipeline.Build{Manifest: m}, nil); s != nil || err != nil {
		t.Errorf("Build with compression off: %v, %v; want no stage", s, err)
	}
}

func TestCompressible(t *testing.T) {
	for _, tc := range []struct {
		ct   string
		want bool
	}{
		{"text/html; charset=utf-8", true},
		{"application/json", true},
		{"Application/JSON", true},
		{"image/svg+xml", true},
		{"IMAGE/PNG", false},
		{"video/mp4", false},
		{"font/woff2", false},
		{"application/zip", false},
		{" application/gzip ; x=1", false},
		{"", false},
	} {
		if got := Compressible(tc.ct); got != tc.want {
			t.Errorf("Compressible(%q) = %v, want %v", tc.ct, got, tc.want)
		}
	}
}
