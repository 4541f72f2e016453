package pipeline

import (
	"regexp"
	"strings"
	"testing"
)

func TestValidRequestID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"lb-01:3f2a.9_x", true},
		{strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false},
		{"", false},
		{"a b", false},
		{"a\"b", false},
		{"é", false},
	} {
		if got := ValidRequestID(tc.id); got != tc.want {
			t.Errorf("ValidRequestID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestRequestID(t *testing.T) {
	hex16 := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tc := range []struct {
		name    string
		trusted bool
		ids     []string // the X-Request-Id fields the client sent
		keep    bool     // the client's id is the request's
	}{
		{"no id", false, nil, false},
		{"untrusted client's id", false, []string{"abc"}, false},
		{"trusted proxy's id", true, []string{"lb-01:abc"}, true},
		{"trusted proxy's two ids", true, []string{"a", "b"}, false},
		{"trusted proxy's bad id", true, []string{"a b"}, false},
	} {
		x := &Exchange{PeerTrusted: tc.trusted}
		for _, id := range tc.ids {
			x.Header.Add("X-Request-Id", id)
		}
		got := string(x.RequestID())
		if tc.keep && got != tc.ids[0] || !tc.keep && !hex16.MatchString(got) {
			t.Errorf("%s: id %q", tc.name, got)
		}
		if again := string(x.RequestID()); again != got {
			t.Errorf("%s: asked again, id %q, want %q: one id per request", tc.name, again, got)
		}
		x.End()
		if next := string(x.RequestID()); !tc.keep && next == got {
			t.Errorf("%s: the next request has the same id %q", tc.name, got)
		}
	}
}
