package manifest

import (
	"fmt"
	"strings"
)

// expand replaces `$VAR`, `${VAR}` and `${VAR:-default}` in s from the
// environment; `$$` is a literal dollar. An unset variable without a default
// is an error at path: an empty database URL would fail far from its cause.
// ok is false when that error is reported, so that callers don't report the
// value it left (an empty address, a URL without a scheme) a second time.
func (r *reader) expand(path, s string) (out string, ok bool) {
	out, missing, err := ExpandVars(s, r.env)
	if err != nil {
		r.errorf(path, "%v", err)
		return s, false
	}
	for _, name := range missing {
		r.errorf(path, "$%s is not set in the environment (set it, or write ${%s:-default})", name, name)
	}
	return out, len(missing) == 0
}

// ExpandVars expands `$VAR`, `${VAR}` and `${VAR:-default}` in s as the
// manifest does (`$$` is a literal dollar), and returns the names of unset
// variables, which expand to nothing.
func ExpandVars(s string, lookup func(string) (string, bool)) (string, []string, error) {
	if !strings.Contains(s, "$") {
		return s, nil, nil
	}
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		name, def, hasDef, n, err := scanVar(s[i+1:])
		if err != nil {
			return s, nil, fmt.Errorf("at byte %d of %q: %w", i, s, err)
		}
		if n == 0 { // a lone `$`, as in a regex or a price, stays as it is
			b.WriteByte('$')
			continue
		}
		i += n
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			missing = append(missing, name)
		}
	}
	return b.String(), missing, nil
}

// scanVar reads a variable reference after a `$` and returns how many bytes it took.
func scanVar(s string) (name, def string, hasDef bool, n int, err error) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 0 {
			return "", "", false, 0, fmt.Errorf("unclosed ${")
		}
		body := s[1:end]
		name, def, hasDef = strings.Cut(body, ":-")
		if !isVarName(name) {
			return "", "", false, 0, fmt.Errorf("bad variable name %q", name)
		}
		return name, def, hasDef, end + 1, nil
	}
	i := 0
	for i < len(s) && isVarByte(s[i], i == 0) {
		i++
	}
	return s[:i], "", false, i, nil
}

func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isVarByte(s[i], i == 0) {
			return false
		}
	}
	return true
}

func isVarByte(c byte, first bool) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || !first && c >= '0' && c <= '9'
}
