package tui

import "strconv"

// modules is one row per WASM module, or "no modules".
func (m *Model) modules() []string {
	if len(m.st.Modules) == 0 {
		return []string{"no modules"}
	}
	header := []string{"NAME", "ABI", "PHASE", "ROUTES", "CALLS", "BLOCKS", "ERRORS"}
	var rows [][]string
	for _, md := range m.st.Modules {
		phase := md.Phase
		if phase == "" {
			phase = "-" // http-wasm modules see both
		}
		rows = append(rows, []string{md.Name, md.ABI, phase, strconv.Itoa(md.Routes),
			count(md.Calls), count(md.Blocks), count(md.Errors)})
	}
	return table(header, rows, m.width)
}
