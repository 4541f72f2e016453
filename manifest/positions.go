package manifest

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// positions maps key paths (`fleet.web[1].routes[0]`) to where they are
// written. The TOML decoder keeps values but not where they came from, so a
// second pass over the syntax tree records the place of every key and every
// array element.
type positions struct {
	data  []byte
	at    map[string]Pos
	lines []int // byte offset of the start of each line
}

func indexPositions(data []byte) *positions {
	ps := &positions{data: data, at: map[string]Pos{}}
	ps.lines = append(ps.lines, 0)
	for i, c := range data {
		if c == '\n' {
			ps.lines = append(ps.lines, i+1)
		}
	}
	arrays := map[string]int{} // array-of-tables path → elements so far
	var p unstable.Parser
	p.Reset(data)
	context := ""
	for p.NextExpression() {
		expr := p.Expression()
		switch expr.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, off := ps.keyParts(&p, expr.Key())
			path := ""
			for i, k := range parts {
				path = joinKey(path, k)
				last := i == len(parts)-1
				if last && expr.Kind == unstable.ArrayTable {
					n := arrays[path]
					arrays[path] = n + 1
					path += "[" + strconv.Itoa(n) + "]"
				} else if n, ok := arrays[path]; ok && n > 0 {
					path += "[" + strconv.Itoa(n-1) + "]"
				}
			}
			ps.record(path, off)
			context = path
		case unstable.KeyValue:
			ps.keyValue(&p, context, expr)
		}
	}
	return ps
}

func (ps *positions) keyParts(p *unstable.Parser, it unstable.Iterator) ([]string, int) {
	var parts []string
	off := -1
	for it.Next() {
		n := it.Node()
		if off < 0 && n.Raw.Length > 0 {
			off = int(n.Raw.Offset)
		}
		parts = append(parts, string(n.Data))
	}
	return parts, off
}

func (ps *positions) keyValue(p *unstable.Parser, context string, kv *unstable.Node) {
	parts, off := ps.keyParts(p, kv.Key())
	path := context
	for _, k := range parts {
		path = joinKey(path, k)
		ps.record(path, off)
	}
	ps.value(p, path, kv.Value(), off)
}

func (ps *positions) value(p *unstable.Parser, path string, v *unstable.Node, off int) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			ps.keyValue(p, path, it.Node())
		}
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			elem := it.Node()
			eoff := off
			if elem.Raw.Length > 0 {
				eoff = int(elem.Raw.Offset)
			} else if first := elem.Child(); first != nil && first.Kind == unstable.KeyValue {
				// Inline tables carry no range of their own; their first key does.
				if _, koff := ps.keyParts(p, first.Key()); koff >= 0 {
					eoff = koff
				}
			}
			elemPath := path + "[" + strconv.Itoa(i) + "]"
			ps.record(elemPath, eoff)
			ps.value(p, elemPath, elem, eoff)
		}
	}
}

func (ps *positions) record(path string, off int) {
	if off < 0 {
		return
	}
	if _, ok := ps.at[path]; ok {
		return
	}
	ps.at[path] = Pos{Line: ps.lineOf(off), Offset: off, Key: path}
}

func (ps *positions) lineOf(off int) int {
	lo, hi := 0, len(ps.lines)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if ps.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// of returns where a key path is written, falling back to the nearest
// enclosing key that is written (a default has no line of its own, its table does).
func (ps *positions) of(path string) Pos {
	for p := path; p != ""; p = parentKey(p) {
		if pos, ok := ps.at[p]; ok {
			pos.Key = path
			return pos
		}
	}
	return Pos{Key: path}
}

// parentKey drops the last `.key` or `[i]` of a path.
func parentKey(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
	}
	i := len(path) - 1
	for ; i >= 0; i-- {
		if path[i] == '.' && !inQuotes(path[:i]) {
			return path[:i]
		}
	}
	return ""
}

func inQuotes(prefix string) bool {
	return strings.Count(prefix, `"`)%2 == 1
}

// joinKey appends a key to a path, quoting keys that a bare TOML key can't spell.
func joinKey(path, key string) string {
	if !isBareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func isBareKey(k string) bool {
	if k == "" {
		return false
	}
	return bytes.IndexFunc([]byte(k), func(r rune) bool {
		return !(r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0
}
