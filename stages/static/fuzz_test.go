package static

import "testing"

// FuzzRange reads any Range value against a 16-byte file: it must not
// panic, and a range it honours lies inside the file.
func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=2-5", "bytes=-3", "bytes=14-", "bytes=0-1,4-5", "bytes=5-2", "bytes=-0",
		"bytes=99999999999999999999-", "bytes= , ,1-1", "BYTES=1-", "bytes=-18446744073709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		const size = 16
		start, length, ok, sat := parseRange(spec, size)
		if ok && sat && (start < 0 || length < 1 || start+length > size) {
			t.Fatalf("%q: range %d+%d outside a %d-byte file", spec, start, length, size)
		}
	})
}
