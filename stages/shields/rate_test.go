//go:build !noja4h

package shields

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/mothership-go/mothership/ja4h"
	"github.com/mothership-go/mothership/pipeline/pipelinetest"
)

// rateRequest is one request of a rule-rate scenario: from address ip
// (none for ""), with the User-Agent ua and the extra field (which
// changes the fingerprint), and the answer expected.
type rateRequest struct {
	ip, ua, extra string
	status        int
	location      string
	retry         bool // a Retry-After expected
}

// TestShieldRuleRate: a rule with a rate lets what it matches through
// while under the rate, per fingerprint for a rule on one and per client
// address for a rule on the User-Agent, and gives its answer above it,
// with Retry-After.
func TestShieldRuleRate(t *testing.T) {
	const a, b, c = "198.51.100.1", "198.51.100.2", "198.51.100.3"
	const bot, browser = "curl/8.5", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"
	pass := func(ip, ua string) rateRequest { return rateRequest{ip: ip, ua: ua, status: 204} }
	over := func(ip, ua string) rateRequest { return rateRequest{ip: ip, ua: ua, status: 429, retry: true} }
	cases := []struct {
		name, doc string
		reqs      []rateRequest
	}{
		{"a fingerprint rule counts the fingerprint, from any address",
			"[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"2/min\"\n",
			[]rateRequest{pass(a, bot), pass(b, bot), over(c, bot), over(a, bot)}},
		{"a fingerprint rule: another fingerprint has its own count",
			"[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"1/min\"\n",
			[]rateRequest{pass(a, bot), over(a, bot), {ip: a, ua: bot, extra: "Accept", status: 204}}},
		{"a User-Agent rule counts each client address",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"2/s\"\n",
			[]rateRequest{pass(a, bot), pass(a, bot), over(a, bot), pass(b, bot), pass("::ffff:"+b, bot), over(b, bot)}},
		{"a User-Agent rule: clients of unknown address are one client",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/h\"\n",
			[]rateRequest{pass("", bot), over("", bot), pass(a, bot)}},
		{"what the rule does not match is not counted",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/min\"\n",
			[]rateRequest{pass(a, browser), pass(a, browser), pass(a, bot), over(a, bot), pass(a, browser)}},
		{"under its rate the rules after it still hold",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"5/min\"\n\n[[mothership.shields]]\nname = \"no-curl\"\nua_filter = \"~^curl/\"\n",
			[]rateRequest{{ip: a, ua: bot, status: 403}, pass(a, browser)}},
		{"over the rate, the rule's own answer: a redirect",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/min\"\naction = \"redirect\"\nlocation = \"/slow-down\"\n",
			[]rateRequest{pass(a, bot), {ip: a, ua: bot, status: 302, location: "/slow-down", retry: true}}},
		{"over the rate, the rule's own status",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/min\"\nstatus = 403\n",
			[]rateRequest{pass(a, bot), {ip: a, ua: bot, status: 403, retry: true}}},
		{"a rule without a rate blocks from the first request, without Retry-After",
			"[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\n",
			[]rateRequest{{ip: a, ua: bot, status: 403}}},
	}
	for _, tc := range cases {
		s := build(t, tc.doc)
		for i, r := range tc.reqs {
			fields := []string{"Host", "x", "User-Agent", r.ua}
			if r.extra != "" {
				fields = append(fields, r.extra, "*/*")
			}
			x, w := exchange("GET", 1, true, fields...)
			if r.ip != "" {
				x.Client = netip.MustParseAddr(r.ip)
			}
			s.Serve(x, pipelinetest.End{})
			retry := w.Header().Get("Retry-After")
			if secs, err := strconv.Atoi(retry); w.Code != r.status || w.Header().Get("Location") != r.location || (retry != "") != r.retry || (r.retry && (err != nil || secs < 1)) {
				t.Errorf("%s: request %d (%s %s): %d Location %q Retry-After %q; want %d %q, Retry-After %v",
					tc.name, i, r.ip, r.ua, w.Code, w.Header().Get("Location"), retry, r.status, r.location, r.retry)
			}
			if r.status == 429 && !strings.Contains(string(w.Body), "429 too many requests: over a shield's rate") {
				t.Errorf("%s: request %d: body %q, want it to say the rate", tc.name, i, w.Body)
			}
		}
	}
}

// TestShieldRuleRateNoAllocations: a request through a rule with a rate,
// under it and over it, local or with a store, allocates nothing.
func TestShieldRuleRateNoAllocations(t *testing.T) {
	const store = "[mothership.rate_limiting]\nstore = \"redis://127.0.0.1:1/0\"\n\n"
	cases := []struct {
		name, doc, ua string
		status        int
	}{
		{"by fingerprint, under the rate", "[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"67108863/s\"\n", "Mozilla/5.0 Firefox/133.0", 204},
		{"by fingerprint, over the rate", "[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"1/h\"\n", "Mozilla/5.0 Firefox/133.0", 429},
		{"by address, under the rate", "[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"67108863/s\"\n", "curl/8.5", 204},
		{"by address, over the rate", "[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/h\"\n", "curl/8.5", 429},
		{"by fingerprint with a store, under the rate", store + "[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"67108863/s\"\n", "Mozilla/5.0 Firefox/133.0", 204},
		{"by address with a store, over the rate", store + "[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"1/h\"\n", "curl/8.5", 429},
	}
	for _, tc := range cases {
		s := build(t, tc.doc)
		x, w := exchange("GET", 1, true, "Host", "x", "User-Agent", tc.ua, "Accept", "*/*")
		x.Client = netip.MustParseAddr("198.51.100.7")
		fp := &ja4h.Fingerprinter{}
		run := func() {
			w.Reset()
			x.SetFingerprinter(fp)
			s.Serve(x, pipelinetest.End{})
		}
		run()
		if a := testing.AllocsPerRun(1000, run); a != 0 || w.Code != tc.status {
			t.Errorf("%s: %v allocations (status %d), want 0 and %d", tc.name, a, w.Code, tc.status)
		}
	}
}

// BenchmarkShieldsRate is the stage's cost for a request that a rule with
// a rate lets through, by fingerprint and by address, local and with a
// store (no sync runs: the request path never waits on one).
func BenchmarkShieldsRate(b *testing.B) {
	const store = "[mothership.rate_limiting]\nstore = \"redis://127.0.0.1:1/0\"\n\n"
	const byFP = "[[mothership.shields]]\nname = \"gets\"\nja4h_prefix = \"ge11\"\nrate = \"67108863/s\"\n"
	const byAddr = "[[mothership.shields]]\nname = \"bots\"\nua_filter = \"bot\"\nrate = \"67108863/s\"\n"
	for _, bc := range []struct{ name, doc, ua string }{
		{"by fingerprint", byFP, "Mozilla/5.0 Firefox/133.0"},
		{"by fingerprint with a store", store + byFP, "Mozilla/5.0 Firefox/133.0"},
		{"by address", byAddr, "curl/8.5"},
		{"by address with a store", store + byAddr, "curl/8.5"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := build(b, bc.doc)
			x, w := exchange("GET", 1, true, "Host", "x", "User-Agent", bc.ua, "Accept", "*/*")
			x.Client = netip.MustParseAddr("198.51.100.7")
			fp := &ja4h.Fingerprinter{}
			x.SetFingerprinter(fp)
			s.Serve(x, pipelinetest.End{}) // the UA classes compile on first use
			b.ReportAllocs()
			for b.Loop() {
				w.Reset()
				x.SetFingerprinter(fp)
				s.Serve(x, pipelinetest.End{})
			}
			if w.Code != 204 {
				b.Fatalf("status %d, want the request let through", w.Code)
			}
		})
	}
}
