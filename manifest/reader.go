package manifest

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/mothership-go/mothership/internal/suggest"
)

// reader turns the decoded TOML tree into typed values, reporting every
// type mismatch and unknown key with its line instead of stopping.
type reader struct {
	file  string
	pos   *positions
	probs Problems
	env   func(string) (string, bool)
}

func (r *reader) errorf(path, format string, args ...any) {
	r.problem(path, false, format, args...)
}

func (r *reader) warnf(path, format string, args ...any) {
	r.problem(path, true, format, args...)
}

// machinef warns about something missing on this machine.
func (r *reader) machinef(path, format string, args ...any) {
	r.problem(path, true, format, args...)
	r.probs[len(r.probs)-1].Machine = true
}

func (r *reader) problem(path string, warning bool, format string, args ...any) {
	pos := r.pos.of(path)
	r.probs = append(r.probs, Problem{File: r.file, Line: pos.Line, Key: path, Message: fmt.Sprintf(format, args...), Warning: warning})
}

// table is one TOML table being read. Every accessor records the key it
// asked for, so that finish can name the keys nobody asked for.
type table struct {
	r     *reader
	path  string
	m     map[string]any
	known []string
}

func (r *reader) table(path string, m map[string]any) *table {
	return &table{r: r, path: path, m: m}
}

func (t *table) key(k string) string { return joinKey(t.path, k) }

func (t *table) get(k string) (any, bool) {
	t.known = append(t.known, k)
	v, ok := t.m[k]
	return v, ok
}

// has reports whether k is set, without reading it.
func (t *table) has(k string) bool {
	_, ok := t.m[k]
	return ok
}

// finish reports every key of the table that no accessor read: a typo must
// not silently turn a setting off.
func (t *table) finish() {
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		if !slices.Contains(t.known, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s := suggest.Closest(k, t.known); s != "" {
			t.r.errorf(t.key(k), "unknown key (did you mean %q?)", s)
		} else {
			t.r.errorf(t.key(k), "unknown key; known keys here: %s", quoteList(t.known))
		}
	}
}

func (t *table) typeErr(k, want string, v any) {
	t.r.errorf(t.key(k), "want %s, got %s", want, describe(v))
}

func (t *table) str(k string) string {
	v, ok := t.get(k)
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		t.typeErr(k, "a string", v)
	}
	return s
}

// expanded reads a string and expands `$VAR` and `${VAR}` in it; see expand.
func (t *table) expanded(k string) (string, bool) {
	s := t.str(k)
	return t.r.expand(t.key(k), s)
}

func (t *table) boolean(k string, def bool) bool {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	b, ok := v.(bool)
	if !ok {
		t.typeErr(k, "true or false", v)
		return def
	}
	return b
}

func (t *table) integer(k string, def, lo, hi int64) int64 {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		t.typeErr(k, "an integer", v)
		return def
	}
	if n < lo || n > hi {
		t.r.errorf(t.key(k), "%d is out of range; want %d to %d", n, lo, hi)
		return def
	}
	return n
}

func (t *table) number(k string) float64 {
	v, ok := t.get(k)
	if !ok {
		return 0
	}
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		t.typeErr(k, "a number", v)
		return 0
	}
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		t.r.errorf(t.key(k), "want a positive number, got %v", v)
		return 0
	}
	return f
}

// duration reads a string with units ("30s", "1m30s") or integer seconds.
func (t *table) duration(k string, def time.Duration) time.Duration {
	v, ok := t.get(k)
	if !ok {
		return def
	}
	return t.durationValue(k, v, def)
}

// durationValue reads a duration value: a string with units, or a number of
// seconds (which is also what WarpDrive's `_secs` keys hold).
func (t *table) durationValue(k string, v any, def time.Duration) time.Duration {
	const unit = time.Second
	switch d := v.(type) {
	case int64:
		if d < 0 || d > math.MaxInt64/int64(unit) {
			t.r.errorf(t.key(k), "%d is out of range", d)
			return def
		}
		return time.Duration(d) * unit
	case float64:
		if d < 0 || d > float64(math.MaxInt64/int64(unit)) || math.IsNaN(d) {
			t.r.errorf(t.key(k), "%v is out of range", d)
			return def
		}
		return time.Duration(d * float64(unit))
	case string:
		dur, err := time.ParseDuration(d)
		if err != nil {
			t.r.errorf(t.key(k), "%q is not a duration; write it as \"30s\", \"5m\" or integer seconds", d)
			return def
		}
		if dur < 0 {
			t.r.errorf(t.key(k), "%q is negative", d)
			return def
		}
		return dur
	default:
		t.typeErr(k, `a duration ("30s") or integer seconds`, v)
		return def
	}
}

func (t *table) strs(k string) []string {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	return t.strList(k, v)
}

func (t *table) strList(k string, v any) []string {
	arr, ok := v.([]any)
	if !ok {
		t.typeErr(k, "an array of strings", v)
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			t.r.errorf(t.key(k)+"["+strconv.Itoa(i)+"]", "want a string, got %s", describe(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

// envTable reads a table of strings (numbers and booleans are taken as their
// text, the way a shell would see them) and expands variables in the values.
func (t *table) envTable(k string) map[string]string {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(k, "a table of strings", v)
		return nil
	}
	out := make(map[string]string, len(m))
	for name, val := range m {
		path := joinKey(t.key(k), name)
		switch x := val.(type) {
		case string:
			out[name], _ = t.r.expand(path, x)
		case int64, float64, bool:
			out[name] = fmt.Sprint(x)
		default:
			t.r.errorf(path, "want a string, got %s", describe(val))
		}
	}
	return out
}

// sub returns the table at k, or nil when k is absent.
func (t *table) sub(k string) *table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(k, "a table", v)
		return nil
	}
	return t.r.table(t.key(k), m)
}

// tables returns the array of tables at k.
func (t *table) tables(k string) []*table {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	return t.tableList(k, v)
}

func (t *table) tableList(k string, v any) []*table {
	var arr []map[string]any
	switch x := v.(type) {
	case []map[string]any:
		arr = x
	case []any:
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				t.r.errorf(t.key(k)+"["+strconv.Itoa(i)+"]", "want a table, got %s", describe(e))
				continue
			}
			arr = append(arr, m)
		}
	default:
		t.typeErr(k, "an array of tables ([["+t.key(k)+"]])", v)
		return nil
	}
	out := make([]*table, len(arr))
	for i, m := range arr {
		out[i] = t.r.table(t.key(k)+"["+strconv.Itoa(i)+"]", m)
	}
	return out
}

// rawTable returns the table at k as it was decoded (for `config` tables that
// are passed on untouched).
func (t *table) rawTable(k string) map[string]any {
	v, ok := t.get(k)
	if !ok {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		t.typeErr(k, "a table", v)
		return nil
	}
	return m
}

func describe(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int64:
		return fmt.Sprintf("the integer %d", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

func quoteList(ks []string) string {
	ks = slices.Clone(ks)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += ", "
		}
		s += k
	}
	return s
}
