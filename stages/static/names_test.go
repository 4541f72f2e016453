package static

import "testing"

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		rel, want string
		ok        bool
	}{
		{"", ".", true},
		{"/", ".", true},
		{"/a/b.txt", "a/b.txt", true},
		{"/dir/", "dir", true},
		{"/..", "", false},
		{"/a/../b", "", false},
		{"/./a", "", false},
		{"/a//b", "", false},
		{`/a\b`, "", false},
		{"/a\x00b", "", false},
		{"/..a", "..a", true},
	} {
		got, ok := fileName(tc.rel)
		if got != tc.want || ok != tc.ok {
			t.Errorf("fileName(%q) = %q, %v; want %q, %v", tc.rel, got, ok, tc.want, tc.ok)
		}
	}
}
