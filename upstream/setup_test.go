package upstream

import "testing"

func TestPathEdit(t *testing.T) {
	cases := []struct {
		name      string
		e         PathEdit
		path, raw string
		want, wr  string
	}{
		{"none", PathEdit{}, "/a/b", "", "/a/b", ""},
		{"strip", PathEdit{strip: "/api"}, "/api/users", "", "/users", ""},
		{"strip to root", PathEdit{strip: "/api"}, "/api", "", "/", ""},
		{"strip mid-segment keeps a slash", PathEdit{strip: "/api"}, "/apiv2", "", "/v2", ""},
		{"strip with trailing slash", PathEdit{strip: "/api/"}, "/api/x", "", "/x", ""},
		{"strip escaped", PathEdit{strip: "/api"}, "/api/a/b", "/api/a%2Fb", "/a/b", "/a%2Fb"},
		{"prefix absent", PathEdit{strip: "/api"}, "/other", "", "/other", ""},
		{"rewrite", PathEdit{from: "/old", to: "/new"}, "/old/x", "", "/new/x", ""},
		{"rewrite to root", PathEdit{from: "/old", to: ""}, "/old/x", "", "/x", ""},
		{"strip then rewrite", PathEdit{strip: "/v1", from: "/old", to: "/new"}, "/v1/old/x", "", "/new/x", ""},
	}
	for _, tc := range cases {
		in, want := tc.path, tc.want
		if tc.raw != "" {
			in, want = tc.raw, tc.wr // the edit works on the path as escaped
		}
		if got := string(tc.e.AppendPath(nil, in)); got != want {
			t.Errorf("%s: %q, want %q", tc.name, got, want)
		}
	}
}
