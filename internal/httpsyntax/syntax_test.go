package httpsyntax

import "testing"

func TestTokensAndValues(t *testing.T) {
	for _, tc := range []struct {
		in           string
		token, value bool
	}{
		{"Content-Type", true, true},
		{"X_Forwarded_For", true, true},
		{"", false, true},
		{"Bad Name", false, true},
		{"a:b", false, true},
		{"naïve", false, true},
		{"text/html; q=0.9", false, true},
		{"tab\there", false, true},
		{"nul\x00", false, false},
		{"cr\rlf", false, false},
		{"lf\n", false, false},
		{"del\x7f", false, false},
	} {
		if got := IsToken(tc.in); got != tc.token {
			t.Errorf("IsToken(%q) = %v, want %v", tc.in, got, tc.token)
		}
		if got := IsFieldValue(tc.in); got != tc.value {
			t.Errorf("IsFieldValue(%q) = %v, want %v", tc.in, got, tc.value)
		}
	}
}

func TestLists(t *testing.T) {
	for _, tc := range []struct {
		list, token string
		want        bool
	}{
		{"keep-alive, Upgrade", "upgrade", true},
		{"close", "close", true},
		{"CLOSE", "close", true},
		{"closed", "close", false},
		{"", "close", false},
		{" , ,close ,", "close", true},
		{"no-cache, no-store", "no-store", true},
		{"gzip;q=1, chunked;x=y", "chunked", true},
	} {
		if got := HasToken(tc.list, tc.token); got != tc.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tc.list, tc.token, got, tc.want)
		}
	}
}

func TestHopByHop(t *testing.T) {
	for _, name := range []string{"Connection", "keep-alive", "PROXY-CONNECTION", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade"} {
		if !IsHopByHop(name) {
			t.Errorf("%s: not hop-by-hop", name)
		}
	}
	for _, name := range []string{"Host", "Content-Length", "Trailers", "X-Upgrade", "Proxy"} {
		if IsHopByHop(name) {
			t.Errorf("%s: hop-by-hop", name)
		}
	}
}

func TestParseUint(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int64
		okay bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"007", 7, true},
		{"", 0, false}, {"+5", 0, false}, {"-1", 0, false}, {"0x05", 0, false},
		{"5 ", 0, false}, {"1,2", 0, false}, {"999999999999999999", 999999999999999999, true},
		{"9999999999999999999", 0, false},
	} {
		n, ok := ParseUint(tc.in)
		if ok != tc.okay || ok && n != tc.n {
			t.Errorf("ParseUint(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.okay)
		}
	}
}
