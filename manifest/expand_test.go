package manifest

import (
	"slices"
	"strings"
	"testing"
)

func TestExpandVars(t *testing.T) {
	env := map[string]string{
		"HOME":   "/home/ship",
		"PORT":   "3000",
		"EMPTY":  "",
		"_X1":    "x",
		"DOLLAR": "p$$w$HOME",
	}
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	cases := []struct {
		name    string
		in      string
		want    string
		missing []string
		err     string // a word the error must hold; "" when expansion succeeds
	}{
		{name: "no dollar", in: "plain text", want: "plain text"},
		{name: "empty", in: "", want: ""},
		{name: "bare variable", in: "$HOME", want: "/home/ship"},
		{name: "braced variable", in: "${HOME}", want: "/home/ship"},
		{name: "bare variable ends at a non-name byte", in: "$HOME/app", want: "/home/ship/app"},
		{name: "braced variable before name bytes", in: "${PORT}0", want: "30000"},
		{name: "bare variable takes every name byte", in: "$PORT0", missing: []string{"PORT0"}, want: ""},
		{name: "underscore and digits in a name", in: "$_X1", want: "x"},
		{name: "several variables", in: "$HOME:$PORT", want: "/home/ship:3000"},
		{name: "set to empty is set", in: "[$EMPTY]", want: "[]"},
		{name: "set to empty ignores the default", in: "${EMPTY:-def}", want: ""},
		{name: "default when unset", in: "${NOPE:-fallback}", want: "fallback"},
		{name: "empty default", in: "a${NOPE:-}b", want: "ab"},
		{name: "default ignored when set", in: "${PORT:-8080}", want: "3000"},
		{name: "default holding a colon and a dash", in: "${NOPE:-a:-b}", want: "a:-b"},
		{name: "default holding a URL", in: "${DB:-postgres://localhost:5432/dev}", want: "postgres://localhost:5432/dev"},
		{name: "double dollar is a literal dollar", in: "$$", want: "$"},
		{name: "double dollar before a name", in: "$$HOME", want: "$HOME"},
		{name: "double dollar before braces", in: "$${HOME}", want: "${HOME}"},
		{name: "triple dollar", in: "$$$HOME", want: "$/home/ship"},
		{name: "lone dollar at the end", in: "^/api$", want: "^/api$"},
		{name: "lone dollar before a digit", in: "costs $5", want: "costs $5"},
		{name: "lone dollar before a space", in: "$ x", want: "$ x"},
		{name: "values are not expanded again", in: "$DOLLAR", want: "p$$w$HOME"},
		{name: "unset variable", in: "postgres://$DB_HOST/app", want: "postgres:///app", missing: []string{"DB_HOST"}},
		{name: "unset braced variable", in: "${NOPE}", want: "", missing: []string{"NOPE"}},
		{name: "every unset variable is named", in: "$A-$B", want: "-", missing: []string{"A", "B"}},

		{name: "unclosed brace", in: "${HOME", err: "unclosed ${"},
		{name: "unclosed brace with a default", in: "x ${A:-b", err: "unclosed ${"},
		{name: "empty braces", in: "${}", err: "bad variable name"},
		{name: "name starting with a digit", in: "${1A}", err: "bad variable name"},
		{name: "dash in a braced name", in: "${A-B}", err: "bad variable name"},
		{name: "space in a braced name", in: "${ A }", err: "bad variable name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, missing, err := ExpandVars(c.in, lookup)
			if c.err != "" {
				if err == nil {
					t.Fatalf("%s: ExpandVars(%q) = %q, want an error with %q", c.name, c.in, got, c.err)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s: ExpandVars(%q) error %q lacks %q", c.name, c.in, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: ExpandVars(%q): %v", c.name, c.in, err)
			}
			if got != c.want {
				t.Errorf("%s: ExpandVars(%q) = %q, want %q", c.name, c.in, got, c.want)
			}
			if !slices.Equal(missing, c.missing) {
				t.Errorf("%s: ExpandVars(%q) missing = %q, want %q", c.name, c.in, missing, c.missing)
			}
		})
	}
}
