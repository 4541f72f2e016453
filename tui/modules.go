package tui

import "strconv"

// modules is one row per WASM module, or "no modules".
func (m *Model) modules() []string {
	if len(m.st.Modules) == 0 {
		return []string{"no modules"}
	}
	header := []string{"NAME", "ABI", "PHASE", "ROUTES", "CALLS", "BLOCKS", "ERRORS", "LAST ERROR"}
	var rows [][]string
	for _, md := range m.st.Modules {
		last := md.LastError
		if last == "" {
			last = "-"
		}
		rows = append(rows, []string{md.Name, md.ABI, md.Phase, strconv.Itoa(md.Routes),
			count(md.Calls), count(md.Blocks), count(md.Errors), last})
	}
	return table(header, rows, m.width)
}
