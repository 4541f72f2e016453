package fieldpolicy

import (
	"testing"

	"github.com/mothership-go/mothership/pipeline"
)

func TestPasses(t *testing.T) {
	for _, tc := range []struct {
		name        string
		field       string
		trusted     bool
		underscores bool
		want        bool
	}{
		{"own field", "X-App", false, false, true},
		{"underscore name", "X_App", false, false, false},
		{"underscore name kept", "X_App", false, true, true},
		{"twin of ours, underscores kept", "X_Forwarded_For", false, true, false},
		{"ours", "x-ja4h", true, false, false},
		{"X-Request-Start", "X-Request-Start", true, false, false},
		{"Proxy", "Proxy", true, false, false},
		{"hop-by-hop", "Keep-Alive", false, false, false},
		{"named by Connection", "X-Hop", false, false, false},
		{"Forwarded, untrusted", "Forwarded", false, false, false},
		{"Forwarded, trusted", "Forwarded", true, false, true},
		{"replaced by add_headers", "x-route", false, false, false},
	} {
		x := &pipeline.Exchange{PeerTrusted: tc.trusted}
		x.Header.Add("Connection", "X-Hop")
		p := &Policy{Underscores: tc.underscores, Add: []pipeline.Field{{Name: "X-Route", Value: "r"}}}
		if got := p.Passes(x, tc.field); got != tc.want {
			t.Errorf("%s: Passes(%q) = %v, want %v", tc.name, tc.field, got, tc.want)
		}
	}
}
