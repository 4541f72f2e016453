package manifest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// shieldDialects are the forms a shield rule can be written in: the main
// form, and the blog's older form, whose manifests take the same
// [[mothership.shields]]. WarpDrive files have no shields.
var shieldDialects = []struct{ name, head string }{
	{"main form", "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n\n"},
	{"blog form", "[config]\nbind = \"127.0.0.1:8080\"\n\n[[ships]]\nname = \"web\"\ncommand = \"web\"\nbind = \"3000\"\n\n"},
}

// TestShieldRate reads a rule's rate in every unit, and the answer a rule
// with a rate gives by default: 429, not the 403 of a plain block.
func TestShieldRate(t *testing.T) {
	cases := []struct {
		name, rule string
		rate       manifest.Rate
		status     int
	}{
		{"per minute", `rate = "60/min"`, manifest.Rate{Count: 60, Per: time.Minute}, 429},
		{"per second", `rate = "5/s"`, manifest.Rate{Count: 5, Per: time.Second}, 429},
		{"per hour, long unit, spaces", `rate = "1000 / hour"`, manifest.Rate{Count: 1000, Per: time.Hour}, 429},
		{"an explicit status", "rate = \"1/second\"\nstatus = 403", manifest.Rate{Count: 1, Per: time.Second}, 403},
		{"a redirect over the rate", "rate = \"10/minute\"\naction = \"redirect\"\nlocation = \"/slow-down\"", manifest.Rate{Count: 10, Per: time.Minute}, 302},
		{"no rate: a block", "", manifest.Rate{}, 403},
	}
	for _, d := range shieldDialects {
		for _, tc := range cases {
			doc := d.head + "[[mothership.shields]]\nname = \"crawlers\"\nua_filter = \"bot\"\n" + tc.rule + "\n"
			m, err := manifest.Parse("case.toml", []byte(doc), lookupFrom(nil))
			if err != nil {
				t.Errorf("%s, %s: %v", d.name, tc.name, err)
				continue
			}
			if s := m.Mothership.Shields[0]; s.Rate != tc.rate || s.Status != tc.status {
				t.Errorf("%s, %s: rate %+v status %d, want %+v %d", d.name, tc.name, s.Rate, s.Status, tc.rate, tc.status)
			}
		}
	}
}

// TestShieldRateErrors: a bad rate, or a rate rule without a name of its
// own, is reported once with its file, line and key, in every dialect
// that has shields.
func TestShieldRateErrors(t *testing.T) {
	const rule = "[[mothership.shields]]\nname = \"crawlers\"\nua_filter = \"bot\"\n"
	cases := []struct {
		name, doc, key string
		words          []string
	}{
		{"no unit", rule + "rate = \"60\" " + errMark + "\n", "mothership.shields[0].rate", []string{`"60" is not a rate`, `"60/min"`}},
		{"unknown unit", rule + "rate = \"60/day\" " + errMark + "\n", "mothership.shields[0].rate", []string{`"60/day" is not a rate`, "s, min or h"}},
		{"not whole requests", rule + "rate = \"1.5/s\" " + errMark + "\n", "mothership.shields[0].rate", []string{`"1.5/s" is not a rate`, "whole requests"}},
		{"zero", rule + "rate = \"0/min\" " + errMark + "\n", "mothership.shields[0].rate", []string{"0 requests per min is out of range", "want 1 to 67108863"}},
		{"not a string", rule + "rate = 60 " + errMark + "\n", "mothership.shields[0].rate", []string{"a string"}},
		{"no name", "[[mothership.shields]]\nua_filter = \"bot\"\nrate = \"60/min\" " + errMark + "\n", "mothership.shields[0].rate", []string{"needs a name"}},
		{"a name another rule has", rule + "\n[[mothership.shields]]\nname = \"crawlers\" " + errMark + "\nja4h_prefix = \"po10\"\nrate = \"5/s\"\n",
			"mothership.shields[1].name", []string{"the rule at line", `called "crawlers" too`, "a name of its own"}},
		{"a plain rule after a rate rule of its name", rule + "rate = \"5/s\"\n\n[[mothership.shields]]\nname = \"crawlers\" " + errMark + "\nja4h_prefix = \"po10\"\n",
			"mothership.shields[1].name", []string{`called "crawlers" too`}},
	}
	for _, d := range shieldDialects {
		for _, tc := range cases {
			doc := d.head + tc.doc
			line := markedLine(doc)
			_, err := manifest.Parse("case.toml", []byte(doc), lookupFrom(nil))
			var probs manifest.Problems
			if !errors.As(err, &probs) || len(probs) != 1 {
				t.Errorf("%s, %s: want one problem, got %v", d.name, tc.name, err)
				continue
			}
			p := probs[0]
			if p.File != "case.toml" || p.Line != line || p.Key != tc.key || p.Warning {
				t.Errorf("%s, %s: want an error at case.toml:%d key %s, got %s", d.name, tc.name, line, tc.key, p.Error())
			}
			for _, w := range tc.words {
				if !strings.Contains(p.Message, w) {
					t.Errorf("%s, %s: message %q lacks %q", d.name, tc.name, p.Message, w)
				}
			}
		}
	}
}
