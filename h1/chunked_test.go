package h1

import (
	"strings"
	"testing"
)

// decode runs a whole body through c, step bytes at a time, and returns
// the data, the bytes after the body and the error.
func decode(in string, step int) (data, rest string, err error) {
	var c Chunked
	var out strings.Builder
	b := []byte(in)
	for len(b) > 0 {
		end := min(step, len(b))
		chunk := b[:end]
		for len(chunk) > 0 {
			n, d, done, err := c.Decode(chunk)
			if err != nil {
				return out.String(), "", err
			}
			out.Write(d)
			chunk = chunk[n:]
			if done {
				return out.String(), string(chunk) + string(b[end:]), nil
			}
		}
		b = b[end:]
	}
	return out.String(), "", errIncomplete
}

var errIncomplete = &Error{0, "incomplete"}

func TestChunkedDecode(t *testing.T) {
	cases := []struct {
		name, in, data, rest string
		status               int
	}{
		{"two chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nNEXT", "abcde", "NEXT", 0},
		{"uppercase hex, leading zeros", "00A\r\n0123456789\r\n0\r\n\r\n", "0123456789", "", 0},
		{"extensions", "3;a\r\nabc\r\n2; b=c ;d=\"e \\\" f\"\r\nde\r\n0;last\r\n\r\n", "abcde", "", 0},
		{"whitespace after the size", "3 ;a\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"trailers", "1\r\nx\r\n0\r\nChecksum: 1\r\nX: \r\n\r\n", "x", "", 0},
		{"empty body", "0\r\n\r\n", "", "", 0},
		{"size with 0x", "0x3\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"signed size", "+3\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"no size", "\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"17 hex digits", "10000000000000003\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"overflow", "ffffffffffffffff\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"data longer than its size", "3\r\nabcdef\r\n0\r\n\r\n", "abc", "", 400},
		{"bare LF after size", "3\nabc\r\n0\r\n\r\n", "", "", 400},
		{"bare LF after data", "3\r\nabc\n0\r\n\r\n", "abc", "", 400},
		{"NUL in an extension", "3;a=\x00\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"extension without a name", "3;=x\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"CTL in a quoted extension", "3;a=\"\x01\"\r\nabc\r\n0\r\n\r\n", "", "", 400},
		{"bad trailer name", "0\r\nBad Name: x\r\n\r\n", "", "", 400},
		{"NUL in a trailer", "0\r\nX: \x00\r\n\r\n", "", "", 400},
		{"trailer without the final CRLF then LF", "0\r\nX: y\n\r\n", "", "", 400},
	}
	for _, tc := range cases {
		for _, step := range []int{1, 2, 7, 1 << 20} {
			data, rest, err := decode(tc.in, step)
			if tc.status != 0 {
				if e, ok := err.(*Error); !ok || e.Status != tc.status {
					t.Errorf("%s (step %d): err %v, want a %d", tc.name, step, err, tc.status)
				}
				continue
			}
			if err != nil || data != tc.data || rest != tc.rest {
				t.Errorf("%s (step %d): data %q rest %q err %v, want %q %q", tc.name, step, data, rest, err, tc.data, tc.rest)
			}
		}
	}
}

func TestChunkedDecodeDoesNotAllocate(t *testing.T) {
	body := []byte("400\r\n" + strings.Repeat("x", 1024) + "\r\n0\r\n\r\n")
	var c Chunked
	if a := testing.AllocsPerRun(1000, func() {
		c.Reset()
		for in := body; len(in) > 0; {
			n, _, done, _ := c.Decode(in)
			in = in[n:]
			if done {
				break
			}
		}
	}); a != 0 {
		t.Errorf("%v allocations per body, want 0", a)
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	body := []byte(strings.Repeat("1000\r\n"+strings.Repeat("x", 4096)+"\r\n", 4) + "0\r\n\r\n")
	var c Chunked
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		c.Reset()
		for in := body; len(in) > 0; {
			n, _, done, err := c.Decode(in)
			if err != nil {
				b.Fatal(err)
			}
			in = in[n:]
			if done {
				break
			}
		}
	}
}
