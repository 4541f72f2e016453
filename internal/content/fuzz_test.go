package content

import "testing"

// FuzzRanges reads any Range value against a 16-byte file: it must not
// panic, and the ranges it honours lie inside the file, none empty, adding
// up to no more than the file.
func FuzzRanges(f *testing.F) {
	for _, s := range []string{"bytes=2-5", "bytes=-3", "bytes=14-", "bytes=0-1,4-5", "bytes=5-2", "bytes=-0",
		"bytes=99999999999999999999-", "bytes= , ,1-1", "BYTES=1-", "bytes=-18446744073709551615", "bytes=0-30,1-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		const size = 16
		ranges, err := parseRanges(spec, size)
		if err != nil && len(ranges) > 0 {
			t.Fatalf("%q: ranges %v with error %v", spec, ranges, err)
		}
		total := int64(0)
		for _, r := range ranges {
			if r.start < 0 || r.length < 1 || r.start+r.length > size {
				t.Fatalf("%q: range %d+%d outside a %d-byte file", spec, r.start, r.length, size)
			}
			total += r.length
		}
		if total > size {
			t.Fatalf("%q: %d bytes of ranges for a %d-byte file", spec, total, size)
		}
	})
}
