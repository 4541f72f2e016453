package upstream

import "testing"

func TestPathEdit(t *testing.T) {
	cases := []struct {
		name      string
		e         pathEdit
		path, raw string
		want, wr  string
	}{
		{"none", pathEdit{}, "/a/b", "", "/a/b", ""},
		{"strip", pathEdit{strip: "/api"}, "/api/users", "", "/users", ""},
		{"strip to root", pathEdit{strip: "/api"}, "/api", "", "/", ""},
		{"strip mid-segment keeps a slash", pathEdit{strip: "/api"}, "/apiv2", "", "/v2", ""},
		{"strip with trailing slash", pathEdit{strip: "/api/"}, "/api/x", "", "/x", ""},
		{"strip escaped", pathEdit{strip: "/api"}, "/api/a/b", "/api/a%2Fb", "/a/b", "/a%2Fb"},
		{"prefix absent", pathEdit{strip: "/api"}, "/other", "", "/other", ""},
		{"rewrite", pathEdit{from: "/old", to: "/new"}, "/old/x", "", "/new/x", ""},
		{"rewrite to root", pathEdit{from: "/old", to: ""}, "/old/x", "", "/x", ""},
		{"strip then rewrite", pathEdit{strip: "/v1", from: "/old", to: "/new"}, "/v1/old/x", "", "/new/x", ""},
	}
	for _, tc := range cases {
		in, want := tc.path, tc.want
		if tc.raw != "" {
			in, want = tc.raw, tc.wr // the edit works on the path as escaped
		}
		if got := string(tc.e.appendPath(nil, in)); got != want {
			t.Errorf("%s: %q, want %q", tc.name, got, want)
		}
	}
}
