package stages

import (
	"strings"
	"testing"
)

// rawHead builds a request head from a request line and header lines.
func rawHead(requestLine string, headers ...string) []byte {
	return []byte(requestLine + "\r\n" + strings.Join(headers, "\r\n") + "\r\n\r\n")
}

// foxCookie is the Cookie of FoxIO's test_http_stats_into_out (rust/ja4/src/http.rs).
const foxCookie = "FastAB=0=6859,1=8174,2=4183,3=3319,4=3917,5=2557,6=4259,7=6070,8=0804,9=6453,10=1942,11=4435,12=4143,13=9445,14=6957,15=8682,16=1885,17=1825,18=3760,19=0929; sato=1; countryCode=US; stateCode=VA; geoData=purcellville|VA|20132|US|NA|-400|broadband|39.160|-77.700|511; usprivacy=1---; umto=1; _dd_s=logs=1&id=b5c2d770-eaba-4847-8202-390c4552ff9a&created=1686159462724&expire=1686160422726"

func foxHeaders(dup bool) []string {
	h := []string{
		"Host: www.cnn.com",
		"Cookie: " + foxCookie,
		"Sec-Ch-Ua: ",
		"Sec-Ch-Ua-Mobile: ?0",
		"User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.110 Safari/537.36",
		`Sec-Ch-Ua-Platform: ""`,
		"Accept: */*",
		"Sec-Fetch-Site: same-origin",
		"Sec-Fetch-Mode: cors",
		"Sec-Fetch-Dest: empty",
	}
	if dup {
		h = append(h, "Sec-Fetch-Mode: cors", "Sec-Fetch-Dest: empty")
	}
	return append(h, "Referer: https://www.cnn.com/", "Accept-Encoding: gzip, deflate", "Accept-Language: en-US,en;q=0.9")
}

// The vectors of the shields spec §3.
var ja4hVectors = []struct {
	name string
	head []byte
	want string
}{
	{"1 FoxIO Rust test, duplicated Sec-Fetch-*", rawHead("GET / HTTP/1.1", foxHeaders(true)...),
		"ge11cr13enus_88d2d584d47f_0f2659b474bf_161698816dab"},
	{"2 Rama, the same without duplicates", rawHead("GET / HTTP/1.1", foxHeaders(false)...),
		"ge11cr11enus_974ebe531c03_0f2659b474bf_161698816dab"},
	{"3 Rama Firefox 133", rawHead("GET / HTTP/1.1",
		"Host: fp.ramaproxy.org", "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Accept: text/html", "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: gzip, deflate, br, zstd",
		"Connection: keep-alive", "Referer: https://fp.ramaproxy.org/", "Cookie: rama-fp=ready",
		"DNT: 1", "Sec-GPC: 1", "Priority: u=0, i"),
		"ge11cr09enus_df50b14dec48_d733b88e2d70_774e52af4cfe"},
	{"4 Rama curl over HTTP/2", rawHead("GET / HTTP/2",
		"authorization: Basic x", "user-agent: curl/8.7.1", "accept: */*", "cookie: sierra=echo;alpha=bravo;zulu=tango"),
		"ge20cn030000_a8ea46949477_7efd8825dc5a_f0c5f5a36bc1"},
}

func TestJA4HVectors(t *testing.T) {
	var f Fingerprinter
	for _, v := range ja4hVectors {
		if got := string(f.JA4H(v.head)); got != v.want {
			t.Errorf("vector %s: got %s, want %s", v.name, got, v.want)
		}
	}
}

// TestJA4HFields checks part a, and which parts are the empty hash.
func TestJA4HFields(t *testing.T) {
	many := make([]string, 120)
	for i := range many {
		many[i] = "X-H: 1"
	}
	cases := []struct {
		name string
		head []byte
		a    string // part a; "" for the empty result
	}{
		{"GET", rawHead("GET / HTTP/1.1", "Host: x"), "ge11nn010000"},
		{"POST", rawHead("POST / HTTP/1.1", "Host: x"), "po11nn010000"},
		{"PUT", rawHead("PUT / HTTP/1.1", "Host: x"), "pu11nn010000"},
		{"DELETE", rawHead("DELETE / HTTP/1.1", "Host: x"), "de11nn010000"},
		{"HEAD", rawHead("HEAD / HTTP/1.1", "Host: x"), "he11nn010000"},
		{"OPTIONS", rawHead("OPTIONS * HTTP/1.1", "Host: x"), "op11nn010000"},
		{"PATCH", rawHead("PATCH / HTTP/1.1", "Host: x"), "pa11nn010000"},
		{"CONNECT", rawHead("CONNECT x:443 HTTP/1.1", "Host: x"), "co11nn010000"},
		{"TRACE", rawHead("TRACE / HTTP/1.1", "Host: x"), "tr11nn010000"},
		{"unknown method", rawHead("M-SEARCH * HTTP/1.1", "Host: x"), "m011nn010000"},
		{"one-letter method", rawHead("X / HTTP/1.1", "Host: x"), "x011nn010000"},
		{"HTTP/1.0", rawHead("GET / HTTP/1.0"), "ge10nn000000"},
		{"HTTP/2.0", rawHead("GET / HTTP/2.0", "host: x"), "ge20nn010000"},
		{"HTTP/3", rawHead("GET / HTTP/3", "host: x"), "ge30nn010000"},
		{"cookie flag, any case", rawHead("GET / HTTP/1.1", "Host: x", "COOKIE: a=1"), "ge11cn010000"},
		{"referer flag, any case", rawHead("GET / HTTP/1.1", "Host: x", "referer: /"), "ge11nr010000"},
		{"both, not counted", rawHead("GET / HTTP/1.1", "Cookie: a", "Referer: /", "Host: x"), "ge11cr010000"},
		{"duplicates counted", rawHead("GET / HTTP/1.1", "A: 1", "A: 2", "a: 3"), "ge11nn030000"},
		{"count capped at 99", rawHead("GET / HTTP/1.1", many...), "ge11nn990000"},
		{"language enus", rawHead("GET / HTTP/1.1", "Accept-Language: en-US,en;q=0.9"), "ge11nn01enus"},
		{"language da", rawHead("GET / HTTP/1.1", "Accept-Language: da, en-gb;q=0.8"), "ge11nn01da00"},
		{"language cut at ;", rawHead("GET / HTTP/1.1", "Accept-Language: en;q=0.9"), "ge11nn01en00"},
		{"language *", rawHead("GET / HTTP/1.1", "Accept-Language: *"), "ge11nn010000"},
		{"language letters only", rawHead("GET / HTTP/1.1", "Accept-Language: es-419"), "ge11nn01es00"},
		{"language long", rawHead("GET / HTTP/1.1", "Accept-Language: zh-Hant-TW"), "ge11nn01zhha"},
		{"first Accept-Language", rawHead("GET / HTTP/1.1", "accept-language: fr", "Accept-Language: de"), "ge11nn02fr00"},
		{"obs-fold is not a header", rawHead("GET / HTTP/1.1", "A: 1", " folded", "B: 2"), "ge11nn020000"},
		{"bare LF lines", []byte("GET / HTTP/1.1\nHost: x\nAccept: y\n\n"), "ge11nn020000"},
		{"head without blank line", []byte("GET / HTTP/1.1\r\nHost: x"), "ge11nn010000"},
		{"no version", []byte("GET /\r\n\r\n"), ""},
		{"bad version", rawHead("GET / HTTP/x"), ""},
		{"no method", rawHead(" / HTTP/1.1"), ""},
		{"empty", nil, ""},
	}
	var f Fingerprinter
	for _, tc := range cases {
		got := string(f.JA4H(tc.head))
		if tc.a == "" {
			if got != "" {
				t.Errorf("%s: got %q, want the empty result", tc.name, got)
			}
			continue
		}
		if len(got) != JA4HLen || got[:12] != tc.a {
			t.Errorf("%s: got %q, want part a %q", tc.name, got, tc.a)
		}
	}
	// No headers left and no cookies: zeros, not the hash of "".
	if got := string(f.JA4H(rawHead("GET / HTTP/1.0"))); got != "ge10nn000000_000000000000_000000000000_000000000000" {
		t.Errorf("no headers: %s", got)
	}
}

// TestJA4HCookies checks cookie splitting and sorting through part c and d,
// against the hashes of the lists they should be.
func TestJA4HCookies(t *testing.T) {
	cases := []struct {
		name, cookie string
		names, pairs string // the comma-joined lists hashed
	}{
		{"sorted by name", "b=2; a=1; c=3", "a,b,c", "a=1,b=2,c=3"},
		{"no space after ;", "sierra=echo;alpha=bravo;zulu=tango", "alpha,sierra,zulu", "alpha=bravo,sierra=echo,zulu=tango"},
		{"split at the first =", "a=b=c; x=1", "a,x", "a=b=c,x=1"},
		{"no = is a name only", "flag; a=1", "a,flag", "a=1,flag"},
		{"empty value keeps =", "d=; a=1", "a,d", "a=1,d="},
		{"uppercase < _ < lowercase", "b=1; _c=2; A=3", "A,_c,b", "A=3,_c=2,b=1"},
		{"same name by value", "a=2; a=10; a=1", "a,a,a", "a=1,a=10,a=2"},
		{"name then value, not the pair", "a-b=2; a=1", "a,a-b", "a=1,a-b=2"},
		{"empty pieces skipped, trimmed", " a=1 ;; \tb=2 ; ", "a,b", "a=1,b=2"},
	}
	var f Fingerprinter
	for _, tc := range cases {
		got := string(f.JA4H(rawHead("GET / HTTP/1.1", "Host: x", "Cookie: "+tc.cookie)))
		var want [12]byte
		hash12(want[:], []byte(tc.names))
		if got[26:38] != string(want[:]) {
			t.Errorf("%s: cookie names hash %s, want that of %q", tc.name, got[26:38], tc.names)
		}
		hash12(want[:], []byte(tc.pairs))
		if got[39:] != string(want[:]) {
			t.Errorf("%s: cookie hash %s, want that of %q", tc.name, got[39:], tc.pairs)
		}
	}
	// Several Cookie headers (HTTP/2 style) are gathered.
	one := string(f.JA4H(rawHead("GET / HTTP/2", "cookie: b=2; a=1")))
	two := string(f.JA4H(rawHead("GET / HTTP/2", "cookie: b=2", "cookie: a=1")))
	if one[13:] != two[13:] {
		t.Errorf("split cookies: %s vs %s", one, two)
	}
}

func TestJA4HNoAllocations(t *testing.T) {
	var f Fingerprinter
	for _, v := range ja4hVectors {
		f.JA4H(v.head) // warm the scratch space up
	}
	for _, v := range ja4hVectors {
		if a := testing.AllocsPerRun(1000, func() { f.JA4H(v.head) }); a != 0 {
			t.Errorf("vector %s: %v allocs, want 0", v.name, a)
		}
	}
}

func BenchmarkJA4H(b *testing.B) {
	for _, v := range ja4hVectors[:3] {
		b.Run(v.name[:1], func(b *testing.B) {
			var f Fingerprinter
			b.ReportAllocs()
			b.SetBytes(int64(len(v.head)))
			for b.Loop() {
				f.JA4H(v.head)
			}
		})
	}
}
