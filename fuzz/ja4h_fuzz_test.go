package fuzz

import (
	"bytes"
	"testing"

	"github.com/mothership-go/mothership/stages"
)

// ja4hSeeds are request heads: real browsers', odd ones and broken ones.
var ja4hSeeds = []string{
	"GET / HTTP/1.1\r\nHost: www.cnn.com\r\nCookie: FastAB=0=6859,1=8174; sato=1; _dd_s=logs=1&id=b5c2\r\nUser-Agent: Mozilla/5.0\r\nReferer: https://www.cnn.com/\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: Mozilla/5.0 Firefox/133.0\r\nAccept-Language: en-US,en;q=0.5\r\nCookie: rama-fp=ready\r\nDNT: 1\r\nSec-GPC: 1\r\n\r\n",
	"GET / HTTP/2\r\nauthorization: x\r\nuser-agent: curl/8\r\naccept: */*\r\ncookie: sierra=echo;alpha=bravo;zulu=tango\r\n\r\n",
	"POST /p HTTP/1.0\nContent-Length: 3\n\nabc",
	"M-SEARCH * HTTP/1.1\r\nX: 1\r\n folded\r\n:pseudo: x\r\nnocolon\r\n\r\n",
	"GET / HTTP/1.1\r\nCookie: ;;a=;=b; c=d=e ;\t\r\nCookie: z\r\nAccept-Language: *\r\n\r\n",
	"X / HTTP/9.9\r\n\r\n",
	"GET /\r\n\r\n",
	" / HTTP/1.1\r\n\r\n",
	"",
}

// FuzzJA4H computes fingerprints of arbitrary heads: it must not panic, and
// the result is either empty or has the JA4H shape, a 12-char part a of
// [a-z0-9] and three 12-digit lowercase hex hashes, and is the same when
// computed again.
func FuzzJA4H(f *testing.F) {
	for _, s := range ja4hSeeds {
		f.Add([]byte(s))
	}
	var fp stages.Fingerprinter
	f.Fuzz(func(t *testing.T, head []byte) {
		got := bytes.Clone(fp.JA4H(head))
		if len(got) == 0 {
			return
		}
		if len(got) != stages.JA4HLen {
			t.Fatalf("length %d: %q", len(got), got)
		}
		for i, b := range got {
			ok := false
			switch {
			case i == 12 || i == 25 || i == 38:
				ok = b == '_'
			case i < 12:
				ok = 'a' <= b && b <= 'z' || '0' <= b && b <= '9'
			default:
				ok = 'a' <= b && b <= 'f' || '0' <= b && b <= '9'
			}
			if !ok {
				t.Fatalf("byte %d of %q", i, got)
			}
		}
		if again := fp.JA4H(head); !bytes.Equal(again, got) {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
	})
}
