package static

import "testing"

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		name, spec    string
		start, length int64
		ok, sat       bool
	}{
		{"one range", "bytes=2-5", 2, 4, true, true},
		{"open end", "bytes=14-", 14, 2, true, true},
		{"suffix", "bytes=-3", 13, 3, true, true},
		{"suffix longer than the file", "bytes=-100", 0, 16, true, true},
		{"end past the file", "bytes=10-99", 10, 6, true, true},
		{"unit in any case, spaces", "Bytes = 1-1", 1, 1, true, true},
		{"start past the file", "bytes=16-", 0, 0, true, false},
		{"suffix of zero", "bytes=-0", 0, 0, true, false},
		{"one satisfiable of two", "bytes=100-,1-2", 1, 2, true, true},
		{"two satisfiable", "bytes=0-1,4-5", 0, 0, false, false},
		{"end before start", "bytes=5-2", 0, 0, false, false},
		{"no dash", "bytes=5", 0, 0, false, false},
		{"signs", "bytes=+1-2", 0, 0, false, false},
		{"another unit", "items=1-2", 0, 0, false, false},
		{"no unit", "1-2", 0, 0, false, false},
		{"empty set", "bytes=", 0, 0, true, false},
	} {
		start, length, ok, sat := parseRange(tc.spec, 16)
		if ok != tc.ok || sat != tc.sat || (ok && sat && (start != tc.start || length != tc.length)) {
			t.Errorf("%s: parseRange(%q) = %d, %d, %v, %v; want %d, %d, %v, %v", tc.name, tc.spec, start, length, ok, sat, tc.start, tc.length, tc.ok, tc.sat)
		}
	}
}

func TestListsETag(t *testing.T) {
	const etag = `"abc-1"`
	for _, tc := range []struct {
		name, list   string
		weak, strong bool
	}{
		{"the tag", `"abc-1"`, true, true},
		{"in a list", `"x", "abc-1"`, true, true},
		{"weak form", `W/"abc-1"`, true, false},
		{"star", `*`, true, true},
		{"another", `"abc-2"`, false, false},
		{"unquoted", `abc-1`, false, false},
		{"unterminated", `"abc-1`, false, false},
		{"comma inside a tag", `"a,b", "abc-1"`, true, true},
		{"empty", ``, false, false},
	} {
		if got := listsETag(tc.list, etag, true); got != tc.weak {
			t.Errorf("%s: weak listsETag(%q) = %v, want %v", tc.name, tc.list, got, tc.weak)
		}
		if got := listsETag(tc.list, etag, false); got != tc.strong {
			t.Errorf("%s: strong listsETag(%q) = %v, want %v", tc.name, tc.list, got, tc.strong)
		}
	}
}
