package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mothership-go/mothership/manifest"
)

// TestDefaultsWithoutMothershipTable checks that a manifest gets the
// [mothership] defaults (flagship election, CORS cache) whether or not it
// writes a [mothership] table: most seed snippets don't, and a Manifest is
// documented as having every default applied.
func TestDefaultsWithoutMothershipTable(t *testing.T) {
	wantFlagship := manifest.Flagship{
		Election:         manifest.ElectionStatic,
		LockName:         "mothership",
		PrelaunchTimeout: 300 * time.Second,
		ElectionTimeout:  30 * time.Second,
	}
	wantCORS := manifest.CORSCache{DefaultTTL: 3600 * time.Second, MaxEntries: 10000}
	const ship = "[[fleet.web]]\nname = \"app\"\ncommand = \"app\"\n"
	cases := []struct {
		name         string
		doc          string
		blogFlagship bool // the blog's [flagship] sets its own election
	}{
		{name: "empty file", doc: ""},
		{name: "main form with an empty [mothership]", doc: "[mothership]\n" + ship},
		{name: "main form without [mothership]", doc: ship},
		{name: "main form with only [[modules]]", doc: "[[modules]]\nname = \"m\"\nwasm = \"m.wasm\"\n"},
		{name: "blog [config] and [[ships]]", doc: "[config]\nbind = \"0.0.0.0:8080\"\n[[ships]]\nname = \"web\"\ncommand = \"web\"\n"},
		{name: "blog [[plugins]]", doc: "[[plugins]]\nname = \"p\"\npath = \"p.wasm\"\n"},
		{name: "blog [flagship]", doc: "[flagship]\nenabled = false\n", blogFlagship: true},
		{name: "warpdrive", doc: "[upstreams.api]\nport = 3000\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := manifest.Parse("test.toml", []byte(c.doc), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := m.Mothership.CPUs; got != 0 {
				t.Errorf("%s: CPUs = %d, want 0 (the Go runtime's choice)", c.name, got)
			}
			if got := m.Mothership.CORSCache; got != wantCORS {
				t.Errorf("%s: CORSCache = %+v, want %+v", c.name, got, wantCORS)
			}
			want := wantFlagship
			if c.blogFlagship {
				want.Election = manifest.ElectionPostgres
			}
			if got := m.Mothership.Flagship; got != want {
				t.Errorf("%s: Flagship = %+v, want %+v", c.name, got, want)
			}
		})
	}
}

func TestFixedPortWithAutoPortIsWarned(t *testing.T) {
	doc := "[config]\nbind = \"0.0.0.0:8080\"\n\n[[ships]]\nname = \"web\"\ncommand = \"bundle exec puma -p 3000\"\nroutes = [{ pattern = \"/*\" }]\n"
	m, err := manifest.Parse("blog.toml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, w := range m.Warnings {
		if w.Line == 6 && w.Key == "ships[0].command" && strings.Contains(w.Message, `port 3000; if it listens there, write bind = "3000"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning about the fixed port 3000 at line 6; warnings: %v", m.Warnings)
	}
}

func TestShieldRules(t *testing.T) {
	cases := []struct {
		name, rule, wantErr string
	}{
		{"block by prefix", `ja4h_prefix = "ge11nn05"`, ""},
		{"redirect llm", "ua_filter = \"llm\"\naction = \"redirect\"\nlocation = \"/for-machines\"", ""},
		{"no condition", `action = "block"`, "needs a condition"},
		{"redirect without location", "ua_filter = \"bot\"\naction = \"redirect\"", "needs a location"},
		{"bad status", "ua_filter = \"bot\"\naction = \"redirect\"\nlocation = \"/x\"\nstatus = 305", "not 305"},
		{"unknown action", "ua_filter = \"bot\"\naction = \"drop\"", `unknown action "drop"`},
		{"unknown bind", "ua_filter = \"bot\"\nbind = \"htp\"", `did you mean "http"`},
	}
	for _, c := range cases {
		doc := "[mothership.bind]\nhttp = \"127.0.0.1:8080\"\n\n[[mothership.shields]]\nname = \"r\"\n" + c.rule + "\n"
		m, err := manifest.Parse("s.toml", []byte(doc), func(string) (string, bool) { return "", false })
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.wantErr == "" && len(m.Mothership.Shields) != 1:
			t.Errorf("%s: want one shield, got %d", c.name, len(m.Mothership.Shields))
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.wantErr)
		}
	}
}
