//go:build !noja4h

package ja4h

import (
	"strings"
	"testing"
)

// list is a header list for the tests: "Name: value" lines.
type list []string

func (l list) Len() int { return len(l) }
func (l list) Name(i int) string {
	n, _, _ := strings.Cut(l[i], ":")
	return n
}
func (l list) Value(i int) string {
	_, v, _ := strings.Cut(l[i], ":")
	return strings.TrimSpace(v)
}

// req is one request to fingerprint.
type req struct {
	method       string
	major, minor byte
	fields       list
}

func (r req) fingerprint(f *Fingerprinter) string {
	return string(f.Fingerprint(r.method, r.major, r.minor, r.fields))
}

func get11(fields ...string) req { return req{"GET", 1, 1, fields} }

// foxCookie is the Cookie of FoxIO's test_http_stats_into_out (rust/ja4/src/http.rs).
const foxCookie = "FastAB=0=6859,1=8174,2=4183,3=3319,4=3917,5=2557,6=4259,7=6070,8=0804,9=6453,10=1942,11=4435,12=4143,13=9445,14=6957,15=8682,16=1885,17=1825,18=3760,19=0929; sato=1; countryCode=US; stateCode=VA; geoData=purcellville|VA|20132|US|NA|-400|broadband|39.160|-77.700|511; usprivacy=1---; umto=1; _dd_s=logs=1&id=b5c2d770-eaba-4847-8202-390c4552ff9a&created=1686159462724&expire=1686160422726"

func foxHeaders(dup bool) list {
	h := list{
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

// Vectors are the vectors of the shields spec §3; the fuzz targets and
// the engine's tests use them too.
var vectors = []struct {
	name string
	req  req
	want string
}{
	{"1 FoxIO Rust test, duplicated Sec-Fetch-*", get11(foxHeaders(true)...),
		"ge11cr13enus_88d2d584d47f_0f2659b474bf_161698816dab"},
	{"2 Rama, the same without duplicates", get11(foxHeaders(false)...),
		"ge11cr11enus_974ebe531c03_0f2659b474bf_161698816dab"},
	{"3 Rama Firefox 133", get11(
		"Host: fp.ramaproxy.org", "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
		"Accept: text/html", "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: gzip, deflate, br, zstd",
		"Connection: keep-alive", "Referer: https://fp.ramaproxy.org/", "Cookie: rama-fp=ready",
		"DNT: 1", "Sec-GPC: 1", "Priority: u=0, i"),
		"ge11cr09enus_df50b14dec48_d733b88e2d70_774e52af4cfe"},
	{"4 Rama curl over HTTP/2", req{"GET", 2, 0, list{
		"authorization: Basic x", "user-agent: curl/8.7.1", "accept: */*", "cookie: sierra=echo;alpha=bravo;zulu=tango"}},
		"ge20cn030000_a8ea46949477_7efd8825dc5a_f0c5f5a36bc1"},
}

func TestVectors(t *testing.T) {
	var f Fingerprinter
	for _, v := range vectors {
		if got := v.req.fingerprint(&f); got != v.want {
			t.Errorf("vector %s: got %s, want %s", v.name, got, v.want)
		}
	}
}

// TestOneFingerprinterForManyRequests: a connection's Fingerprinter,
// which reuses the hash of a list it hashed last time, gives each request
// its own fingerprint, in any order and repeated.
func TestOneFingerprinterForManyRequests(t *testing.T) {
	var f Fingerprinter
	for round := range 3 {
		for i := range vectors {
			for _, j := range []int{i, len(vectors) - 1 - i, i} {
				v := vectors[j]
				if got := v.req.fingerprint(&f); got != v.want {
					t.Errorf("round %d, vector %s after vector %d: got %s, want %s", round, v.name, i, got, v.want)
				}
			}
		}
	}
	// Lists too long to keep are hashed every time.
	long := func(c string) req { return get11("Host: x", "Cookie: a="+strings.Repeat(c, 2000)) }
	for _, r := range []req{long("x"), long("x"), long("y"), long("x")} {
		var fresh Fingerprinter
		if got, want := r.fingerprint(&f), r.fingerprint(&fresh); got != want {
			t.Errorf("a %d-byte cookie: got %s, want %s", len(r.fields[1]), got, want)
		}
	}
}

// TestFields checks part a.
func TestFields(t *testing.T) {
	many := make(list, 120)
	for i := range many {
		many[i] = "X-H: 1"
	}
	cases := []struct {
		name string
		req  req
		a    string
	}{
		{"GET", get11("Host: x"), "ge11nn010000"},
		{"POST", req{"POST", 1, 1, list{"Host: x"}}, "po11nn010000"},
		{"PUT", req{"PUT", 1, 1, list{"Host: x"}}, "pu11nn010000"},
		{"DELETE", req{"DELETE", 1, 1, list{"Host: x"}}, "de11nn010000"},
		{"HEAD", req{"HEAD", 1, 1, list{"Host: x"}}, "he11nn010000"},
		{"OPTIONS", req{"OPTIONS", 1, 1, list{"Host: x"}}, "op11nn010000"},
		{"PATCH", req{"PATCH", 1, 1, list{"Host: x"}}, "pa11nn010000"},
		{"CONNECT", req{"CONNECT", 1, 1, list{"Host: x"}}, "co11nn010000"},
		{"TRACE", req{"TRACE", 1, 1, list{"Host: x"}}, "tr11nn010000"},
		{"unknown method", req{"M-SEARCH", 1, 1, list{"Host: x"}}, "m011nn010000"},
		{"one-letter method", req{"X", 1, 1, list{"Host: x"}}, "x011nn010000"},
		{"HTTP/1.0", req{"GET", 1, 0, nil}, "ge10nn000000"},
		{"HTTP/2.0", req{"GET", 2, 0, list{"host: x"}}, "ge20nn010000"},
		{"HTTP/3", req{"GET", 3, 0, list{"host: x"}}, "ge30nn010000"},
		{"cookie flag, any case", get11("Host: x", "COOKIE: a=1"), "ge11cn010000"},
		{"referer flag, any case", get11("Host: x", "referer: /"), "ge11nr010000"},
		{"both, not counted", get11("Cookie: a", "Referer: /", "Host: x"), "ge11cr010000"},
		{"duplicates counted", get11("A: 1", "A: 2", "a: 3"), "ge11nn030000"},
		{"count capped at 99", get11(many...), "ge11nn990000"},
		{"language enus", get11("Accept-Language: en-US,en;q=0.9"), "ge11nn01enus"},
		{"language da", get11("Accept-Language: da, en-gb;q=0.8"), "ge11nn01da00"},
		{"language cut at ;", get11("Accept-Language: en;q=0.9"), "ge11nn01en00"},
		{"language *", get11("Accept-Language: *"), "ge11nn010000"},
		{"language letters only", get11("Accept-Language: es-419"), "ge11nn01es00"},
		{"language long", get11("Accept-Language: zh-Hant-TW"), "ge11nn01zhha"},
		{"first Accept-Language", get11("accept-language: fr", "Accept-Language: de"), "ge11nn02fr00"},
		{"no method", req{"", 1, 1, nil}, "0011nn000000"},
	}
	var f Fingerprinter
	for _, tc := range cases {
		got := tc.req.fingerprint(&f)
		if len(got) != Len || got[:12] != tc.a {
			t.Errorf("%s: got %q, want part a %q", tc.name, got, tc.a)
		}
	}
	// No headers left and no cookies: zeros, not the hash of "".
	if got := (req{"GET", 1, 0, nil}).fingerprint(&f); got != "ge10nn000000_000000000000_000000000000_000000000000" {
		t.Errorf("no headers: %s", got)
	}
}

// TestCookies checks cookie splitting and sorting through part c and d,
// against the hashes of the lists they should be.
func TestCookies(t *testing.T) {
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
		got := get11("Host: x", "Cookie: "+tc.cookie).fingerprint(&f)
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
	// Several Cookie fields (HTTP/2 style) are gathered.
	one := req{"GET", 2, 0, list{"cookie: b=2; a=1"}}.fingerprint(&f)
	two := req{"GET", 2, 0, list{"cookie: b=2", "cookie: a=1"}}.fingerprint(&f)
	if one[13:] != two[13:] {
		t.Errorf("split cookies: %s vs %s", one, two)
	}
}

func TestNoAllocations(t *testing.T) {
	var f Fingerprinter
	for _, v := range vectors {
		v.req.fingerprint(&f) // warm the scratch space up
	}
	for _, v := range vectors {
		var fields Fields = v.req.fields // boxed once, as an engine's *Header is
		if a := testing.AllocsPerRun(1000, func() { f.Fingerprint(v.req.method, v.req.major, v.req.minor, fields) }); a != 0 {
			t.Errorf("vector %s: %v allocs, want 0", v.name, a)
		}
	}
}

// BenchmarkJA4HChanging fingerprints two requests that share no list in
// turn, so that no hash is reused: the cost of a connection's first
// request.
func BenchmarkJA4HChanging(b *testing.B) {
	var f Fingerprinter
	x, y := vectors[0].req, vectors[2].req
	var fx, fy Fields = x.fields, y.fields
	b.ReportAllocs()
	for b.Loop() {
		f.Fingerprint(x.method, x.major, x.minor, fx)
		f.Fingerprint(y.method, y.major, y.minor, fy)
	}
}

// BenchmarkJA4H keeps the name the benchmark gate knows it by: the same
// request again, as on a kept-alive connection.
func BenchmarkJA4H(b *testing.B) {
	for _, v := range vectors[:3] {
		b.Run(v.name[:1], func(b *testing.B) {
			var f Fingerprinter
			var fields Fields = v.req.fields
			b.ReportAllocs()
			for b.Loop() {
				f.Fingerprint(v.req.method, v.req.major, v.req.minor, fields)
			}
		})
	}
}
