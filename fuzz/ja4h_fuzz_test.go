//go:build !noja4h

package fuzz

import (
	"bytes"
	"testing"

	"strings"

	"github.com/mothership-go/mothership/ja4h"
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

// fields is a loose header list cut out of a head: each line after the
// first split at its first colon. The engine parses strictly; the
// fingerprint must hold for any list at all.
type fields [][2]string

func (f fields) Len() int           { return len(f) }
func (f fields) Name(i int) string  { return f[i][0] }
func (f fields) Value(i int) string { return f[i][1] }

// looseHead cuts head into a method, a version and a field list.
func looseHead(head []byte) (string, byte, byte, ja4h.Fields) {
	lines := strings.Split(string(head), "\n")
	method, _, _ := strings.Cut(lines[0], " ")
	var major, minor byte
	if i := strings.Index(lines[0], "HTTP/"); i >= 0 && len(lines[0]) > i+7 {
		major, minor = lines[0][i+5]-'0', lines[0][i+7]-'0'
	}
	var fs fields
	for _, l := range lines[1:] {
		if name, value, ok := strings.Cut(strings.TrimSuffix(l, "\r"), ":"); ok {
			fs = append(fs, [2]string{name, strings.TrimSpace(value)})
		}
	}
	return method, major, minor, fs
}

// FuzzJA4H computes fingerprints of arbitrary header lists: it must not
// panic, and the result has the JA4H shape, a 12-char part a of
// [a-z0-9] and three 12-digit lowercase hex hashes, and is the same when
// computed again.
func FuzzJA4H(f *testing.F) {
	for _, s := range ja4hSeeds {
		f.Add([]byte(s))
	}
	var fp ja4h.Fingerprinter
	f.Fuzz(func(t *testing.T, head []byte) {
		method, major, minor, fs := looseHead(head)
		got := bytes.Clone(fp.Fingerprint(method, major, minor, fs))
		if len(got) != ja4h.Len {
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
		if again := fp.Fingerprint(method, major, minor, fs); !bytes.Equal(again, got) {
			t.Fatalf("not deterministic: %q then %q", got, again)
		}
	})
}
