package manifest

import (
	"slices"
	"strings"
	"testing"
)

func TestShellSplit(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
		err  string // a word the error must hold; "" when the split succeeds
	}{
		{name: "words and a number", in: "bundle exec puma -p 3000", want: []string{"bundle", "exec", "puma", "-p", "3000"}},
		{name: "one word", in: "nginx", want: []string{"nginx"}},
		{name: "line continuation", in: "puma \\\n  -p 3000", want: []string{"puma", "-p", "3000"}},
		{name: "empty", in: "", want: nil},
		{name: "only blanks", in: " \t\n ", want: nil},
		{name: "runs of blanks", in: "  a  \t b\n\nc  ", want: []string{"a", "b", "c"}},
		{name: "variables are not expanded", in: "puma -p $PORT", want: []string{"puma", "-p", "$PORT"}},
		{name: "single quotes keep blanks", in: "sh -c 'echo hello world'", want: []string{"sh", "-c", "echo hello world"}},
		{name: "single quotes keep backslashes", in: `echo 'a\b\'`, want: []string{"echo", `a\b\`}},
		{name: "single quotes keep double quotes", in: `echo 'say "hi"'`, want: []string{"echo", `say "hi"`}},
		{name: "double quotes keep blanks", in: `echo "a b" c`, want: []string{"echo", "a b", "c"}},
		{name: "double quotes keep single quotes", in: `echo "it's"`, want: []string{"echo", "it's"}},
		{name: "escaped double quote", in: `echo "a \"quoted\" b"`, want: []string{"echo", `a "quoted" b`}},
		{name: "escaped backslash in double quotes", in: `echo "a\\b"`, want: []string{"echo", `a\b`}},
		{name: "escaped dollar in double quotes", in: `echo "\$HOME"`, want: []string{"echo", "$HOME"}},
		{name: "escaped backquote in double quotes", in: "echo \"\\`x\\`\"", want: []string{"echo", "`x`"}},
		{name: "other backslashes stay in double quotes", in: `echo "a\nb\t"`, want: []string{"echo", `a\nb\t`}},
		{name: "backslash escapes a blank", in: `cat my\ file`, want: []string{"cat", "my file"}},
		{name: "backslash escapes a quote", in: `echo \"x\" \'y\'`, want: []string{"echo", `"x"`, "'y'"}},
		{name: "backslash escapes a backslash", in: `echo a\\b`, want: []string{"echo", `a\b`}},
		{name: "backslash before a letter", in: `echo \n`, want: []string{"echo", "n"}},
		{name: "empty double quotes are a word", in: `echo "" x`, want: []string{"echo", "", "x"}},
		{name: "empty single quotes are a word", in: "echo ''", want: []string{"echo", ""}},
		{name: "quotes join a word", in: `a"b"'c'd`, want: []string{"abcd"}},
		{name: "adjacent single quotes", in: "echo 'it''s'", want: []string{"echo", "its"}},
		{name: "quoted word with an equals sign", in: `env "A=1 2" cmd`, want: []string{"env", "A=1 2", "cmd"}},
		{name: "non-ASCII", in: "echo 'héllo wörld' ✓", want: []string{"echo", "héllo wörld", "✓"}},

		{name: "unclosed single quote", in: "echo 'oops", err: "unclosed single quote"},
		{name: "unclosed double quote", in: `echo "oops`, err: "unclosed double quote"},
		{name: "double quote closed only by an escaped quote", in: `echo "a\"`, err: "unclosed double quote"},
		{name: "backslash at the end inside double quotes", in: `echo "a\`, err: "unclosed double quote"},
		{name: "lone double quote", in: `"`, err: "unclosed double quote"},
		{name: "lone single quote", in: `'`, err: "unclosed single quote"},
		{name: "trailing backslash", in: `echo \`, err: "trailing backslash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ShellSplit(c.in)
			if c.err != "" {
				if err == nil {
					t.Fatalf("%s: ShellSplit(%q) = %q, want an error with %q", c.name, c.in, got, c.err)
				}
				if !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s: ShellSplit(%q) error %q lacks %q", c.name, c.in, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: ShellSplit(%q): %v", c.name, c.in, err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: ShellSplit(%q) = %q, want %q", c.name, c.in, got, c.want)
			}
		})
	}
}
