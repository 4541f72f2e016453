package fuzz

import (
	"strings"
	"testing"

	"github.com/mothership-go/mothership/pipeline"
	"github.com/mothership-go/mothership/stages/compress"
)

// acceptEncodingSeeds are Accept-Encoding values: browsers', curl's, and
// odd and broken ones.
var acceptEncodingSeeds = []string{
	"gzip, deflate, br, zstd",
	"gzip, deflate",
	"br;q=1.0, gzip;q=0.8, *;q=0.1",
	"identity;q=0",
	"*",
	"*;q=0, identity",
	"br;q=0, gzip",
	"gzip;q=0.5, identity",
	"GZIP;Q=1, X-Gzip",
	"deflate;q=1.0001, gzip;q=.5, br;q=2",
	";;,,;q=,q=0.3,",
	"gzip ; q = 0.9 ; level=1 , br\t;\tq=0.91",
	"",
}

// FuzzAcceptEncoding negotiates arbitrary Accept-Encoding values, as one
// header line and split over several: it must not panic, the answer is
// one of br, gzip, deflate or identity, and the same when asked again.
func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range acceptEncodingSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var h pipeline.Header
		for _, line := range strings.Split(v, "\n") {
			h.Add("Accept-Encoding", line)
		}
		got := compress.Negotiate(&h, compress.All).String()
		switch got {
		case "br", "gzip", "deflate", "identity":
		default:
			t.Fatalf("%q: negotiated %q", v, got)
		}
		if again := compress.Negotiate(&h, compress.All).String(); again != got {
			t.Fatalf("%q: not deterministic: %q then %q", v, got, again)
		}
	})
}
