package routetree

import "testing"

func TestPathPatternMatchesWholePaths(t *testing.T) {
	cases := []struct {
		pattern string
		yes, no []string
	}{
		{"/admin/.*", []string{"/admin/", "/admin/users"}, []string{"/admin", "/x/admin/", "/admin/a\nb"}},
		{"/health", []string{"/health"}, []string{"/health/", "/healthz"}},
		{"/api/*", []string{"/api/", "/api/v1/x"}, []string{"/api", "/apix"}},
		{"/users/[^/]+/edit", []string{"/users/7/edit"}, []string{"/users//edit", "/users/7/8/edit"}},
		{"/(a|b)c", []string{"/ac", "/bc"}, []string{"/cc"}},
		{"/.*", []string{"/", "/anything"}, []string{""}},
		{"/x(?=y).*", []string{"/xy", "/xyz"}, []string{"/xz"}},
	}
	for _, tc := range cases {
		p, err := CompilePathPattern(tc.pattern)
		if err != nil {
			t.Fatalf("%s: %v", tc.pattern, err)
		}
		for _, path := range tc.yes {
			if !p.Match(path) {
				t.Errorf("%s: %q does not match, want a match", tc.pattern, path)
			}
		}
		for _, path := range tc.no {
			if p.Match(path) {
				t.Errorf("%s: %q matches, want none", tc.pattern, path)
			}
		}
	}
	if _, err := CompilePathPattern("/(unclosed"); err == nil {
		t.Error("an invalid pattern compiled")
	}
}
